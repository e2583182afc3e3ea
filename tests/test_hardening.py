"""An attacker in the room, speaking to the participant server as a phone's page does, with forged keys.

Each test first does what the attack did (fresh device keys to stuff the ballot and unmask a partner,
guessed join codes, a flood of page loads, a forged Host header) and checks what stops it now.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ParticipantServer, start_participant_server
from workshop.content import Module
from workshop.store import Store


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
    Store(url).close()
    return url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = Store(database)
    yield opened
    opened.close()


OPENED: list[httpx.Client] = []


@pytest.fixture
def serve_phones(database: str, tmp_path: Path) -> Iterator[Callable[..., ParticipantServer]]:
    """Start a participant server on the test's database with these options; stopped afterwards."""
    started: list[ParticipantServer] = []

    def start(*options: str) -> ParticipantServer:
        started.append(start_participant_server(database, tmp_path, *options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture(autouse=True)
def close_phones() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().close()


def phone(server: ParticipantServer, key: str | None = None) -> httpx.Client:
    """A phone's page: its own random key on every request, as the script sends it."""
    client = httpx.Client(
        base_url=server.url, headers={"X-Workshop-Device": key or secrets.token_hex(16)}, timeout=30
    )
    OPENED.append(client)
    return client


def test_one_address_cannot_join_a_crowd_of_fake_phones(
    store: Store, tiny: Module, serve_phones: Callable[..., ParticipantServer]
) -> None:
    # The attack: K = 5, the victim, the attacker and three fake phones make up the group.
    session = store.start_session(tiny, min_group_size=5)
    server = serve_phones("--joins-per-address", "3")
    own = [phone(server) for _ in range(3)]
    assert [p.post("api/join", json={"code": session.join_code}).status_code for p in own] == [200] * 3
    fake = phone(server)
    refused = fake.post("api/join", json={"code": session.join_code})
    assert refused.status_code == 429
    assert "Too many new phones" in refused.json()["error"]
    assert "Wait a minute" in refused.json()["error"]
    store.open_poll(session.id, "who")
    stuffed = fake.post("api/answer", json={"code": session.join_code, "poll": "who", "value": "Usually me"})
    assert stuffed.status_code == 422
    assert store.joined_count(session.id) == 3
    assert store.answer_count(session.id, "who") == 0
    # A phone that had joined comes back after a reload, however many new ones were turned away.
    assert own[0].post("api/join", json={"code": session.join_code}).status_code == 200
    back = own[0].post("api/answer", json={"code": session.join_code, "poll": "who", "value": "Usually me"})
    assert back.status_code == 200


def test_once_joining_is_closed_new_phones_are_turned_away_and_known_ones_come_back(
    store: Store, tiny: Module, serve_phones: Callable[..., ParticipantServer]
) -> None:
    session = store.start_session(tiny, min_group_size=2, expected_people=2)
    server = serve_phones()
    inside = phone(server)
    assert inside.post("api/join", json={"code": session.join_code}).status_code == 200
    store.set_joining_closed(session.id, True)
    late = phone(server).post("api/join", json={"code": session.join_code})
    assert late.status_code == 404
    assert "Joining is closed" in late.json()["error"]
    assert inside.post("api/join", json={"code": session.join_code}).status_code == 200
    assert store.joined_count(session.id) == 1
    assert store.session(session.id).expected_people == 2
    store.set_joining_closed(session.id, False)
    assert phone(server).post("api/join", json={"code": session.join_code}).status_code == 200


def test_guessing_join_codes_is_slowed_and_then_locked_out(
    store: Store, tiny: Module, serve_phones: Callable[..., ParticipantServer]
) -> None:
    session = store.start_session(tiny)
    server = serve_phones("--wrong-codes", "3")
    guesser = phone(server)
    wrong = "ZZZZZ" if session.join_code != "ZZZZZ" else "YYYYY"
    answers = [guesser.post("api/join", json={"code": wrong}) for _ in range(3)]
    assert [a.status_code for a in answers] == [404] * 3
    assert all(a.elapsed.total_seconds() >= 0.4 for a in answers)  # each wrong code waits
    # Locked out now: even the right code is refused from this address for a while.
    locked = guesser.post("api/join", json={"code": session.join_code})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.json()["error"]
    assert store.joined_count(session.id) == 0


def test_a_flood_of_page_loads_starts_nothing_and_holds_little_memory(
    store: Store, tiny: Module, serve_phones: Callable[..., ParticipantServer]
) -> None:
    session = store.start_session(tiny)
    server = serve_phones()
    process = psutil.Process(server.process.pid)
    client = phone(server)
    client.get("", params={"code": session.join_code})
    before = process.memory_info().rss
    for _ in range(300):
        assert client.get("", params={"code": session.join_code}).status_code == 200
        assert client.get("").status_code == 200
    grown = process.memory_info().rss - before
    assert process.children(recursive=True) == []  # no kernel, no process per page
    assert grown < 20 * 1024 * 1024, f"{grown / 2**20:.1f} MiB for 600 page loads"


def test_a_forged_host_header_changes_nothing_the_page_points_at(
    store: Store, tiny: Module, serve_phones: Callable[..., ParticipantServer]
) -> None:
    session = store.start_session(tiny)
    server = serve_phones()
    page = phone(server).get("", params={"code": session.join_code}, headers={"Host": "127.0.0.1:28899"})
    assert page.status_code == 200
    assert "28899" not in page.text
    assert "Content-Security-Policy" in page.headers
    assert "connect-src 'self'" in page.headers["Content-Security-Policy"]
