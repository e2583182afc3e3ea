"""Faults a real workshop meets: a server killed, a kernel killed, the database gone or read-only.

After each, no answer a phone was told had arrived is missing from the store, and every phone says
honestly whether its answer got through: a real Chromium phone where it matters, HTTP phones besides.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psutil
import pytest

from tests.conftest import (
    RunningWorkshop,
    _free_port,
    start_participant_server,
    start_workshop,
    stop_workshop,
)
from tests.test_browser import LAPTOP, PHONE, Pages, choose_module, open_start_screen
from workshop.content import Module
from workshop.store import SessionRecord, Store

NOT_SENT = "Not sent yet"
ANSWER_IN = "Your answer is in"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningWorkshop]:
    running = start_workshop(tmp_path_factory.mktemp("faults"))
    yield running
    stop_workshop(running)


@pytest.fixture
def pages(chromium: Any) -> Iterator[Pages]:
    opened = Pages(chromium)
    yield opened
    opened.close()


class HttpPhone:
    """A phone at the protocol level: its own key (or a reloaded phone's), the page's requests."""

    opened: ClassVar[list[HttpPhone]] = []

    def __init__(self, url: str, code: str, n: int, key: str = "") -> None:
        self.code = code
        self.key = key or f"{n:04x}{time.time_ns():028x}"
        self.client = httpx.Client(base_url=url, headers={"X-Workshop-Device": self.key}, timeout=30)
        HttpPhone.opened.append(self)

    def join(self) -> httpx.Response:
        return self.client.post("api/join", json={"code": self.code})

    def answer(self, poll: str, value: object) -> httpx.Response:
        return self.client.post("api/answer", json={"code": self.code, "poll": poll, "value": value})

    def answer_until_received(self, poll: str, value: object, within: float = 30) -> httpx.Response:
        """As the page does: send again until the server says received (or refuses for a reason)."""
        deadline = time.monotonic() + within
        while True:
            try:
                reply = self.answer(poll, value)
                if reply.status_code < 500 or time.monotonic() > deadline:
                    return reply
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never came back"
            time.sleep(0.3)


@pytest.fixture(autouse=True)
def close_phones() -> Iterator[None]:
    yield
    while HttpPhone.opened:
        HttpPhone.opened.pop().client.close()


def running_child(running: RunningWorkshop, marker: str) -> psutil.Process | None:
    """The live server process under `workshop serve` whose command line holds `marker`, if any."""
    for process in psutil.Process(running.process.pid).children():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and marker in " ".join(process.cmdline()):
                return process
        except psutil.Error:
            continue  # gone between the listing and the look
    return None


def child(running: RunningWorkshop, marker: str) -> psutil.Process:
    found = running_child(running, marker)
    assert found, f"no {marker} under workshop serve:\n{running.log()}"
    return found


def restarted(running: RunningWorkshop, marker: str, dead: psutil.Process, port: int) -> bool:
    found = running_child(running, marker)
    return found is not None and found.pid != dead.pid and listening(port)


def port_of(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def open_phone(pages: Pages, url: str, code: str) -> Any:
    phone = pages.open(f"{url}?code={code}", PHONE)
    phone.get_by_role("heading", name="A tiny test module").wait_for()
    return phone


def send(phone: Any, choice: str) -> None:
    phone.get_by_role("button", name=choice, exact=True).click()
    phone.get_by_role("button", name="Send answer").click()


def says(phone: Any, text: str) -> Any:
    return phone.get_by_role("status").filter(has_text=text).first


# Servers killed under `workshop serve` ---------------------------------------------------------------


def test_a_killed_participant_server_is_back_on_its_port_and_phones_answer_as_before(
    workshop: RunningWorkshop, pages: Pages, tiny: Module
) -> None:
    store = Store(workshop.database_url, create=False)
    session = store.start_session(tiny, min_group_size=1)
    store.open_poll(session.id, "who")
    phone = open_phone(pages, workshop.participant_url, session.join_code)
    send(phone, "Usually me")
    phone.get_by_text(ANSWER_IN).wait_for()
    other = HttpPhone(workshop.participant_url, session.join_code, 1)
    assert other.join().status_code == 200
    assert other.answer("who", "About equally").status_code == 200
    facilitator = child(workshop, "voila")
    store.open_poll(session.id, "how")
    phone.get_by_role("heading", name="How safe do hard conversations feel?", exact=True).wait_for()

    killed = child(workshop, "workshop.participant_server")
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    send(phone, "4")  # while no server listens: the page must not claim it arrived
    says(phone, NOT_SENT).wait_for()
    assert phone.get_by_text(ANSWER_IN).count() == 0
    store.set_section(session.id, "end")  # the facilitator moves on meanwhile

    phone.get_by_text(ANSWER_IN).wait_for(timeout=30_000)  # sent again by itself once the server is back
    # Sooner than the new server's 25 s wait: the phone is not taken to be ahead of the restarted server.
    phone.get_by_role("heading", name="End", exact=True).wait_for(timeout=15_000)
    assert other.answer_until_received("how", 2).status_code == 200
    assert child(workshop, "workshop.participant_server").pid != killed.pid
    assert listening(port_of(workshop.participant_url))
    assert store.answer_count(session.id, "who") == 2  # nothing acknowledged before the crash is lost
    assert store.answer_count(session.id, "how") == 2  # each phone's answer went in once
    assert store.joined_count(session.id) == 2  # the same participants, not new ones
    assert child(workshop, "voila").pid == facilitator.pid  # the console's server was left alone
    said = workshop.log()
    assert "The participant server stopped unexpectedly (killed by SIGKILL)" in said
    assert f"running again on port {port_of(workshop.participant_url)}" in said
    store.close()


def test_a_killed_facilitator_server_is_back_with_its_token_and_phones_never_notice(
    workshop: RunningWorkshop, tiny: Module
) -> None:
    store = Store(workshop.database_url, create=False)
    session = store.start_session(tiny, min_group_size=1)
    store.open_poll(session.id, "who")
    phones = [HttpPhone(workshop.participant_url, session.join_code, n) for n in range(3)]
    for phone in phones:
        assert phone.join().status_code == 200
    participant_server = child(workshop, "workshop.participant_server")
    killed = child(workshop, "voila")
    kernels_before = [k for k in killed.children(recursive=True) if "ipykernel" in " ".join(k.cmdline())]
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    acknowledged = sum(phone.answer("who", "Usually me").status_code == 200 for phone in phones)
    assert acknowledged == 3  # the phones' server answers while the console's is down

    tree = port_of(workshop.console_url)
    token = workshop.console_url.split("token=")[1]
    wait_for(lambda: restarted(workshop, "voila", killed, tree), 60, workshop.log())
    assert httpx.get(f"http://127.0.0.1:{tree}/?token={token}", timeout=60).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{tree}/", timeout=60).status_code in (302, 403)
    assert child(workshop, "workshop.participant_server").pid == participant_server.pid
    assert store.answer_count(session.id, "who") == acknowledged
    _gone, left = psutil.wait_procs(kernels_before, timeout=10)  # a kernel leaves with its server
    assert left == []
    assert "The facilitator server stopped unexpectedly (killed by SIGKILL)" in workshop.log()
    store.close()


def test_a_killed_console_kernel_leaves_its_server_up_and_a_reload_gets_a_working_console(
    workshop: RunningWorkshop, pages: Pages
) -> None:
    said_before = len(workshop.log())
    console = open_start_screen(pages, workshop.console_url, LAPTOP)
    voila = child(workshop, "voila")
    kernels = [k for k in voila.children(recursive=True) if "ipykernel" in " ".join(k.cmdline())]
    assert kernels
    for kernel in kernels:
        kernel.send_signal(signal.SIGKILL)
    psutil.wait_procs(kernels, timeout=10)
    time.sleep(4)  # Voila's kernel restarter looks every 3 s: by now it has met the dead kernel
    assert voila.is_running() and child(workshop, "voila").pid == voila.pid
    console.reload()
    console.get_by_role("button", name="Start session").or_(
        console.get_by_role("button", name="Start another session")
    ).first.wait_for()
    if console.get_by_role("button", name="Start another session").is_visible():
        console.get_by_role("button", name="Start another session").click()
    choose_module(console, "tiny")
    console.get_by_role("button", name="Start session").click()
    console.locator(".join-code").wait_for()
    assert "server stopped" not in workshop.log()[said_before:]


# The database gone or read-only, under the participant server alone ----------------------------------


@pytest.fixture
def throwaway_postgres() -> Iterator[tuple[str, Any]]:
    """A PostgreSQL cluster of this test's own on a free port; yields its URL and a pg_ctl runner."""
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        pytest.skip("initdb and pg_ctl are needed for the PostgreSQL outage test")
    folder = Path(tempfile.mkdtemp(prefix="workshop-pg-"))  # not under tmp_path: the postgres user reads it
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(folder, "postgres")
        as_user = {"user": "postgres"}
    data, port = folder / "data", _free_port()

    def pg_ctl(*args: str) -> None:
        subprocess.run(["pg_ctl", "-D", str(data), "-w", "-t", "60", *args], check=True,
                       capture_output=True, **as_user)  # fmt: skip

    subprocess.run(["initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
                   check=True, capture_output=True, **as_user)  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = ("-o", options, "-l", str(folder / "pg.log"), "start")
    pg_ctl(*start)
    yield (
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        lambda down: pg_ctl(*(("-m", "fast", "stop") if down else start)),
    )
    subprocess.run(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True, **as_user)
    shutil.rmtree(folder, ignore_errors=True)


def test_phones_answering_while_postgresql_is_down_are_told_and_their_answer_goes_in_once(
    throwaway_postgres: tuple[str, Any], pages: Pages, tiny: Module, tmp_path: Path
) -> None:
    url, postgres = throwaway_postgres
    store = Store(url)
    session = store.start_session(tiny, min_group_size=1)
    store.open_poll(session.id, "who")
    server = start_participant_server(url, tmp_path, "--wait-seconds", "3")
    try:
        before = open_phone(pages, server.url, session.join_code)
        send(before, "Usually me")
        before.get_by_text(ANSWER_IN).wait_for()
        early = HttpPhone(server.url, session.join_code, 1)
        early.join()
        assert early.answer("who", "Usually my partner").status_code == 200
        during = open_phone(pages, server.url, session.join_code)
        late = HttpPhone(server.url, session.join_code, 2)
        late.join()
        during.get_by_role("button", name="Send answer").wait_for()

        postgres(True)
        outage_began = time.monotonic()
        send(during, "About equally")
        says(during, NOT_SENT).wait_for()
        refused = late.answer("who", "About equally")
        assert refused.status_code == 503 and NOT_SENT in refused.json()["error"]
        assert "Traceback" not in refused.text
        time.sleep(max(0.0, 20 - (time.monotonic() - outage_began)))  # twenty seconds without a database
        assert during.get_by_text(ANSWER_IN).count() == 0  # still honest at the end of the outage
        assert says(during, NOT_SENT).is_visible()
        assert before.get_by_text(ANSWER_IN).is_visible()
        postgres(False)

        during.get_by_text(ANSWER_IN).wait_for(timeout=30_000)
        assert late.answer_until_received("who", "About equally").status_code == 200
        assert sorted(store.answers(session.id, "who")) == [
            "About equally", "About equally", "Usually me", "Usually my partner",
        ]  # fmt: skip
        assert store.joined_count(session.id) == 4
        said = server.log()
        assert said.count("the database cannot be used") == 1  # once per outage, not once per request
        assert "the database is back" in said
    finally:
        server.stop()
        store.close()


def test_a_read_only_database_refuses_answers_honestly_and_loses_nothing(
    tmp_path: Path, tiny: Module
) -> None:
    if os.geteuid() != 0 or not shutil.which("chattr"):
        pytest.skip("making the file immutable needs root and chattr (root ignores file modes)")
    url = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
    store = Store(url)
    session: SessionRecord = store.start_session(tiny, min_group_size=1)
    store.open_poll(session.id, "who")
    store.close()
    server = start_participant_server(url, tmp_path)
    answered = HttpPhone(server.url, session.join_code, 1)
    answered.join()
    assert answered.answer("who", "Usually me").status_code == 200
    server.stop()  # its last connection writes the WAL back into the file
    files = [str(path) for path in tmp_path.glob("workshop.sqlite3*")]
    subprocess.run(["chattr", "+i", *files], check=True)
    server = start_participant_server(url, tmp_path)
    try:
        rejoined = HttpPhone(server.url, session.join_code, 1, key=answered.key)  # the same phone
        assert rejoined.join().json()["answered"] == ["who"]  # what was in stays in
        changed = rejoined.answer("who", "About equally")
        assert changed.status_code == 503 and NOT_SENT in changed.json()["error"]
        newcomer = HttpPhone(server.url, session.join_code, 2)
        joined = newcomer.join()
        assert joined.status_code == 503 and "not available right now" in joined.json()["error"]
        assert "Traceback" not in changed.text + joined.text
        subprocess.run(["chattr", "-i", *files], check=True)
        assert rejoined.answer_until_received("who", "About equally").status_code == 200
        assert newcomer.join().status_code == 200
    finally:
        subprocess.run(["chattr", "-i", *files], check=False)
        server.stop()
    store = Store(url, create=False)
    assert store.answers(session.id, "who") == ["About equally"]  # one answer per phone, the last sent
    assert store.joined_count(session.id) == 2
    assert server.log().count("the database cannot be used") == 1
    store.close()
