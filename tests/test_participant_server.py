"""The phones' server, spoken to as a phone's page speaks to it: a real server process, a real store.

Everything a phone sends can be forged; these tests forge it and check that nothing wrong is stored
and that the phone is told, in its session's language, what to do.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import psutil
import pytest

from tests.conftest import ParticipantServer, _postgres_url, run_phones, start_participant_server
from workshop.content import Module, load_module
from workshop.store import SessionRecord, Store, metadata

TESTS = Path(__file__).parent
AHEAD = 2**52  # a sequence number no server reaches (they count from their start in ms): the phone waits
WAIT = 2.0  # the server's wait for a change before it answers "nothing new" (25 s in a real room)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('phones') / 'workshop.sqlite3'}"


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParticipantServer]:
    Store(database).close()  # the schema, as `workshop serve` makes it before starting servers
    running = start_participant_server(database, tmp_path_factory.mktemp("log"), "--wait-seconds", str(WAIT))
    yield running
    running.stop()


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = Store(database)
    yield opened
    opened.close()


class Phone:
    """One phone's page: its own random key, the requests its script makes."""

    count = 0
    opened: ClassVar[list[Phone]] = []

    def __init__(self, server: ParticipantServer, key: str | None = None) -> None:
        Phone.count += 1
        self.key = key or f"{Phone.count:08x}{time.time_ns():024x}"
        self.client = httpx.Client(base_url=server.url, headers={"X-Workshop-Device": self.key}, timeout=30)
        self.seq = -1
        Phone.opened.append(self)

    def join(self, code: str) -> httpx.Response:
        return self.client.post("api/join", json={"code": code})

    def room(self, code: str) -> dict[str, object]:
        reply = self.client.get("api/room", params={"code": code, "seen": self.seq})
        assert reply.status_code == 200, reply.text
        view: dict[str, object] = reply.json()
        self.seq = int(str(view["seq"]))
        return view

    def answer(self, code: str, poll: str, value: object) -> httpx.Response:
        return self.client.post("api/answer", json={"code": code, "poll": poll, "value": value})


@pytest.fixture(autouse=True)
def close_phones() -> Iterator[None]:
    yield
    while Phone.opened:
        Phone.opened.pop().client.close()


@pytest.fixture
def session(store: Store, tiny: Module) -> SessionRecord:
    return store.start_session(tiny, min_group_size=1)


def test_a_wrong_code_says_so_and_joins_nothing(server: ParticipantServer, store: Store) -> None:
    phone = Phone(server)
    reply = phone.join("ZZZZ9")
    assert reply.status_code == 404
    assert "doesn't match a session" in reply.json()["error"]
    assert "doesn't look like a join code" in phone.join("<script>").json()["error"]


def test_the_page_says_something_before_its_script_runs(
    server: ParticipantServer, session: SessionRecord
) -> None:
    page = httpx.get(server.url, params={"code": session.join_code})
    assert page.status_code == 200
    assert "<title>A tiny test module</title>" in page.text
    assert "Joining…" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    without_code = httpx.get(server.url)
    assert "Type the code shown on the screen to join." in without_code.text


def test_the_page_and_its_script_are_small_and_cached(server: ParticipantServer) -> None:
    page = httpx.get(server.url, headers={"Accept-Encoding": "gzip"})
    assets = [part.split('"')[0] for part in page.text.split('="/static/')[1:]]
    assert sorted(a.split("?")[0] for a in assets) == ["participant.css", "participant.js"]
    total = len(page.content)
    for asset in assets:
        reply = httpx.get(server.url + "static/" + asset, headers={"Accept-Encoding": "gzip"})
        assert reply.status_code == 200
        assert "max-age" in reply.headers["cache-control"]  # fetched once per phone, not per visit
        total += int(reply.headers.get("content-length", len(reply.content)))
    assert total < 50_000  # a phone on a crowded Wi-Fi gets the page at once (Voila's was ~9.7 MiB)


def test_joining_shows_the_session_and_its_current_section(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    phone = Phone(server)
    reply = phone.join(session.join_code.lower())  # typed in lower case
    assert reply.status_code == 200
    assert reply.json()["title"] == "A tiny test module"
    assert reply.json()["answered"] == []
    assert store.joined_count(session.id) == 1
    view = phone.room(session.join_code)
    assert "<h2>Start</h2>" in str(view["section"])
    assert view["poll"] is None


def test_a_waiting_phone_hears_of_a_change_at_once_and_of_no_change_only_after_its_wait(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    phone = Phone(server)
    phone.join(session.join_code)
    phone.room(session.join_code)
    started = time.monotonic()
    unchanged = phone.client.get("api/room", params={"code": session.join_code, "seen": phone.seq})
    assert time.monotonic() - started >= WAIT * 0.9  # nothing new: the server held the request
    assert unchanged.json()["seq"] == phone.seq

    async def open_soon() -> None:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(store.open_poll, session.id, "who")

    async def wait_for_the_poll() -> tuple[float, dict[str, object]]:
        async with httpx.AsyncClient(base_url=server.url, headers={"X-Workshop-Device": phone.key}) as client:
            started = time.monotonic()
            opener = asyncio.create_task(open_soon())
            reply = await client.get("api/room", params={"code": session.join_code, "seen": phone.seq})
            await opener
            return time.monotonic() - started, reply.json()

    took, view = run_phones(wait_for_the_poll)
    assert took < WAIT * 0.9, "the phone waited out its wait instead of hearing of the change"
    assert view["poll"] == {
        "id": "who",
        "kind": "single",
        "prompt": "Who usually raises a worry first?",
        "choices": ["Usually me", "Usually my partner", "About equally"],
    }


def test_answering_stores_the_choice_and_never_echoes_it(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    store.open_poll(session.id, "who")
    phone = Phone(server)
    phone.join(session.join_code)
    reply = phone.answer(session.join_code, "who", "Usually my partner")
    assert reply.status_code == 200
    assert "Usually my partner" not in reply.text
    assert store.answers(session.id, "who") == ["Usually my partner"]
    assert "Usually my partner" not in str(phone.room(session.join_code)["results"])


def test_changing_the_answer_replaces_it_and_a_reload_is_the_same_participant(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    store.open_poll(session.id, "who")
    phone = Phone(server)
    phone.join(session.join_code)
    phone.answer(session.join_code, "who", "Usually me")
    reloaded = Phone(server, key=phone.key)  # the same key, from the browser's storage
    assert reloaded.join(session.join_code).json()["answered"] == ["who"]
    reloaded.answer(session.join_code, "who", "About equally")
    assert store.answers(session.id, "who") == ["About equally"]
    assert store.joined_count(session.id) == 1


@pytest.mark.parametrize(
    ("poll", "value", "message"),
    [
        ("who", "Always me", "Please choose one of the options"),
        ("who", ["Usually me"], "Please choose one of the options"),
        ("who", None, "Please choose one of the options"),
        ("which", ["Asking to talk", "Flying"], "Please tick options from the list"),
        ("which", [], "Please tick at least one option"),
        ("how", 9, "Please choose a point from 1 to 5"),
        ("how", True, "Please choose a point from 1 to 5"),
        ("how", "3", "Please choose a point from 1 to 5"),
        ("words", "x" * 5000, "characters"),
        ("words", "\u200b\u2060 \n", "Please write a few words"),
        ("not-a-poll", "Usually me", "not part of this session"),
    ],
)
def test_forged_answers_are_refused_with_a_message_and_nothing_is_stored(
    server: ParticipantServer, store: Store, session: SessionRecord, poll: str, value: object, message: str
) -> None:
    if poll != "not-a-poll":
        store.open_poll(session.id, poll)
    phone = Phone(server)
    phone.join(session.join_code)
    reply = phone.answer(session.join_code, poll, value)
    assert reply.status_code == 422
    assert message in reply.json()["error"]
    assert store.answer_count(session.id, poll) == 0


def test_forged_requests_are_refused_and_the_server_keeps_serving(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    store.open_poll(session.id, "words")
    phone = Phone(server)
    phone.join(session.join_code)
    huge = phone.client.post(
        "api/answer", content=b'{"code": "x", "value": "' + b"x" * 10_000_000 + b'"}'
    )  # never read: over the body limit
    assert huge.status_code in (400, 413)
    assert phone.client.post("api/answer", content=b"not json").status_code == 422
    assert phone.client.post("api/answer", content=b"[1, 2]").status_code == 422
    bad_key = httpx.post(server.url + "api/join", json={"code": session.join_code})
    assert bad_key.status_code == 404 and "key" in bad_key.json()["error"]
    forged_key = httpx.post(
        server.url + "api/join", json={"code": session.join_code}, headers={"X-Workshop-Device": "../' OR 1"}
    )
    assert forged_key.status_code == 404
    assert store.answer_count(session.id, "words") == 0
    assert phone.answer(session.join_code, "words", "Still here").status_code == 200
    assert "Traceback" not in server.log()


def test_an_answer_after_the_poll_closed_is_refused(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    store.open_poll(session.id, "who")
    store.close_poll(session.id, "who")
    phone = Phone(server)
    phone.join(session.join_code)
    reply = phone.answer(session.join_code, "who", "Usually me")
    assert reply.status_code == 422 and "closed" in reply.json()["error"]
    assert store.answer_count(session.id, "who") == 0


def test_a_phone_hears_that_the_session_ended(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    phone = Phone(server)
    phone.join(session.join_code)
    phone.room(session.join_code)
    store.end_session(session.id)
    assert phone.room(session.join_code) == {"ended": True, "seq": phone.seq}
    late = Phone(server).join(session.join_code)  # a reload after the end: a thank-you, not an error
    assert late.status_code == 410 and "Thank you for taking part" in late.json()["error"]


def test_a_spanish_session_speaks_spanish_to_the_phone(server: ParticipantServer, store: Store) -> None:
    session = store.start_session(load_module(TESTS / "modules" / "tiny-es.yaml"))
    store.open_poll(session.id, "quien")
    phone = Phone(server)
    joined = phone.join(session.join_code).json()
    assert joined["words"]["participant.send"] == "Enviar respuesta"
    assert "Esperando a que la persona facilitadora" in joined["words"]["participant.waiting"]
    assert 'lang="es"' in httpx.get(server.url, params={"code": session.join_code}).text
    assert "Elige una de las opciones" in phone.answer(session.join_code, "quien", None).json()["error"]


def test_no_address_is_logged_and_no_kernel_is_started(
    server: ParticipantServer, store: Store, session: SessionRecord
) -> None:
    phone = Phone(server)
    phone.join(session.join_code)
    phone.answer(session.join_code, "nope", 1)
    httpx.get(server.url + "no-such-page")
    assert "127.0.0.1" not in server.log()
    assert psutil.Process(server.process.pid).children(recursive=True) == []


def test_over_the_per_address_cap_a_phone_is_told_the_room_is_full(
    database: str, store: Store, session: SessionRecord, tmp_path: Path
) -> None:
    capped = start_participant_server(database, tmp_path, "--per-address", "2", "--wait-seconds", "5")
    try:

        async def three_phones() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=capped.url, timeout=30) as client:
                headers = {"X-Workshop-Device": "a" * 32}
                params = {"code": session.join_code, "seen": AHEAD}  # wait: nothing newer
                waiting = [asyncio.create_task(client.get("api/room", params=params, headers=headers))]
                waiting.append(asyncio.create_task(client.get("api/room", params=params, headers=headers)))
                await asyncio.sleep(1.0)  # both are held by the server now
                third = await client.get("api/room", params=params, headers=headers)
                page = await client.get("")
                return [third, page, *await asyncio.gather(*waiting)]

        third, page, *held = run_phones(three_phones)
        assert third.status_code == 503
        assert "The room is full" in third.json()["error"]
        assert page.status_code == 503  # a phone scanning the code now sees why, and is let in later
        assert "The room is full" in page.text and 'http-equiv="refresh"' in page.text
        assert [reply.status_code for reply in held] == [200, 200]
        assert httpx.get(capped.url).status_code == 200  # once they have gone, the next one gets in
    finally:
        capped.stop()


def test_a_room_of_phones_on_postgresql_uses_a_handful_of_connections(tmp_path: Path, tiny: Module) -> None:
    url = _postgres_url()
    store = Store(url, create=False)
    metadata.drop_all(store.engine)
    store.create_schema()
    session = store.start_session(tiny, min_group_size=1)
    store.open_poll(session.id, "how")
    running = start_participant_server(url, tmp_path, "--wait-seconds", "3")
    phones = 150
    try:

        async def phone(client: httpx.AsyncClient, n: int) -> int:
            headers = {"X-Workshop-Device": f"{n:032x}"}
            await client.post("api/join", json={"code": session.join_code}, headers=headers)
            reply = await client.post(
                "api/answer",
                json={"code": session.join_code, "poll": "how", "value": n % 5 + 1},
                headers=headers,
            )
            return reply.status_code

        async def room() -> tuple[list[int], int]:
            limits = httpx.Limits(max_connections=phones)
            async with httpx.AsyncClient(base_url=running.url, timeout=60, limits=limits) as client:
                waits = [
                    asyncio.create_task(
                        client.get(
                            "api/room",
                            params={"code": session.join_code, "seen": AHEAD},
                            headers={"X-Workshop-Device": f"{n:032x}"},
                        )
                    )
                    for n in range(phones)
                ]
                statuses = await asyncio.gather(*(phone(client, n) for n in range(phones)))
                busiest = await asyncio.to_thread(server_connections, store, running)
                await asyncio.gather(*waits)
                return list(statuses), busiest

        statuses, busiest = run_phones(room)
        assert statuses == [200] * phones
        assert store.answer_count(session.id, "how") == phones
        assert store.joined_count(session.id) == phones
        assert busiest <= 6  # not one per phone: PostgreSQL's default allows 100
    finally:
        running.stop()
        store.close()


def server_connections(store: Store, running: ParticipantServer) -> int:
    """Connections to PostgreSQL from the participant server's process right now."""
    ports = {c.laddr.port for c in psutil.Process(running.process.pid).net_connections() if c.raddr}
    with store.engine.connect() as db:
        rows = db.exec_driver_sql("SELECT client_port FROM pg_stat_activity WHERE client_port IS NOT NULL")
        return sum(1 for (port,) in rows if port in ports)


def test_a_closed_tab_gives_back_its_place_at_once(
    database: str, store: Store, session: SessionRecord, tmp_path: Path
) -> None:
    capped = start_participant_server(database, tmp_path, "--per-address", "2", "--wait-seconds", "20")
    try:

        async def tabs_closed_then_one_more() -> tuple[int, float]:
            params = {"code": session.join_code, "seen": AHEAD}
            headers = {"X-Workshop-Device": "b" * 32}
            for _ in range(2):  # two tabs wait for the room, then are closed
                async with httpx.AsyncClient(base_url=capped.url, timeout=30) as tab:
                    waiting = asyncio.create_task(tab.get("api/room", params=params, headers=headers))
                    await asyncio.sleep(0.5)
                    waiting.cancel()
            await asyncio.sleep(0.5)
            started = time.monotonic()
            async with httpx.AsyncClient(base_url=capped.url, timeout=30) as phone:
                reply = await phone.post("api/join", json={"code": session.join_code}, headers=headers)
            return reply.status_code, time.monotonic() - started

        status, took = run_phones(tabs_closed_then_one_more)
        assert status == 200  # not "the room is full": the closed tabs' places were given back
        assert took < 5
    finally:
        capped.stop()


def self_signed(folder: Path, name: str = "phones") -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here with openssl."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_over_https_a_phone_answers_and_plain_http_gets_nothing(
    database: str, store: Store, session: SessionRecord, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    running = start_participant_server(database, tmp_path, "--certfile", str(cert), "--keyfile", str(key))
    https = running.url.replace("http://", "https://")
    store.open_poll(session.id, "who")
    try:
        with httpx.Client(
            base_url=https,
            verify=ssl.create_default_context(cafile=cert),
            headers={"X-Workshop-Device": "c" * 32},
        ) as phone:
            assert phone.post("api/join", json={"code": session.join_code}).status_code == 200
            sent = phone.post(
                "api/answer", json={"code": session.join_code, "poll": "who", "value": "Usually me"}
            )
            assert sent.status_code == 200
        # Someone on the venue's Wi-Fi speaking plain HTTP to the same port learns nothing.
        with pytest.raises(httpx.TransportError):
            httpx.get(running.url + "api/room", params={"code": session.join_code, "seen": -1})
        with pytest.raises(httpx.TransportError):
            httpx.post(
                running.url + "api/answer",
                json={"code": session.join_code, "poll": "who", "value": "About equally"},
                headers={"X-Workshop-Device": "d" * 32},
            )
        assert store.answers(session.id, "who") == ["Usually me"]
        assert "127.0.0.1" not in running.log()  # the handshake errors name no address either
    finally:
        running.stop()
