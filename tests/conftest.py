"""Fixtures with real parts: a SQLite file, the machine's PostgreSQL, `workshop serve`, Chromium."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from workshop.content import Module, load_module
from workshop.store import Store, metadata

TESTS = Path(__file__).parent
T = TypeVar("T")
IN_CI = os.environ.get("CI") == "true"


# The WORKSHOP_* variables the suite itself passes down: the PostgreSQL to test against, the series'
# articles, and the throwaway database the root conftest.py gives notebook kernels. Any other one comes
# from a developer's shell (a language, a modules folder, a port) and would change what a test sees.
SUITE_VARIABLES = frozenset({"WORKSHOP_TEST_DATABASE_URL", "WORKSHOP_ARTICLES", "WORKSHOP_DATABASE_URL"})


def workshop_environment() -> dict[str, str]:
    """This process's environment without the WORKSHOP_* variables the suite does not set itself."""
    return {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_") or k in SUITE_VARIABLES}


@pytest.fixture(autouse=True)
def clean_workshop_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without the developer's WORKSHOP_* settings; monkeypatch puts them back after."""
    for name in set(os.environ) - set(workshop_environment()):
        monkeypatch.delenv(name)


@pytest.fixture
def tiny() -> Module:
    return load_module(TESTS / "modules" / "tiny.yaml")


def _postgres_url() -> str:
    url = os.environ.get("WORKSHOP_TEST_DATABASE_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("WORKSHOP_TEST_DATABASE_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("set WORKSHOP_TEST_DATABASE_URL to run the store tests on PostgreSQL")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on a fresh database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
        store = Store(url)
    else:
        store = Store(_postgres_url(), create=False)
        metadata.drop_all(store.engine)
        store.create_schema()
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'workshop.sqlite3'}")
    yield store
    store.close()


# Browser tests: one `workshop serve` and one Chromium for the whole run. ---------------------------

CHROMIUM = Path("/usr/bin/chromium")
# Flags this machine's closed network needs: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class RunningWorkshop:
    """`workshop serve` started for the tests, with the addresses it printed."""

    process: subprocess.Popen[bytes]
    console_url: str
    participant_url: str
    log_path: Path
    database_url: str
    screen_url: str  # the projector's address as printed, with no session chosen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_workshop(folder: Path, *options: str) -> RunningWorkshop:
    """`workshop serve` on free ports with a SQLite file in `folder`, once it prints its addresses."""
    database_url = f"sqlite:///{folder / 'workshop.sqlite3'}"
    log_path = folder / "serve.log"
    command = [
        sys.executable, "-m", "workshop.cli", "serve",
        "--host", "127.0.0.1",
        "--participant-port", str(_free_port()),
        "--facilitator-port", str(_free_port()),
        "--database", database_url,
        "--modules", str(TESTS / "modules"),
        # Every test phone comes from 127.0.0.1: one address for the whole run.
        "--joins-per-address", "100000",
        *options,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        # The session's servers start before any test's autouse clean-up: clean their environment here.
        process = subprocess.Popen(
            command, cwd=folder, env=workshop_environment(), stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 120
    text = ""
    while "Participants join at:" not in text:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"workshop serve did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.3)
        text = log_path.read_text(errors="replace")
    console = re.search(r"console \(this laptop only\): (\S+)", text)
    participant = re.search(r"Participants join at:\s+(\S+)", text)
    screen = re.search(r"Projector screen \(this laptop only\):\s+(\S+)", text)
    assert console and participant and screen
    return RunningWorkshop(process, console[1], participant[1], log_path, database_url, screen[1])


def stop_workshop(running: RunningWorkshop) -> None:
    running.process.send_signal(signal.SIGTERM)
    try:
        running.process.wait(30)
    except subprocess.TimeoutExpired:
        running.process.kill()


@pytest.fixture(scope="session")
def workshop_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningWorkshop]:
    running = start_workshop(tmp_path_factory.mktemp("serve"))
    yield running
    stop_workshop(running)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Chromium is not installed: CI must run the browser tests (apt-get install chromium)")
        pytest.skip("no /usr/bin/chromium: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """When a test with servers fails, show what they said."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    for name, value in getattr(item, "funcargs", {}).items():
        if isinstance(value, RunningWorkshop | ParticipantServer):
            report.sections.append((f"{name}: server log", value.log()[-30000:]))


# The participant server alone: phones at the HTTP level, no browser. -------------------------------


@dataclass
class ParticipantServer:
    """`python -m workshop.participant_server` on a free port, with its log."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_participant_server(database_url: str, folder: Path, *options: str) -> ParticipantServer:
    port = _free_port()
    log_path = folder / f"participant-{port}.log"
    command = [
        sys.executable, "-m", "workshop.participant_server",
        "--host", "127.0.0.1", "--port", str(port), "--database", database_url,
        # Every test phone is 127.0.0.1, and tests try wrong codes on purpose; a test may lower these.
        "--joins-per-address", "100000", "--wrong-codes", "100000", *options,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=workshop_environment(), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the participant server did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)
    return ParticipantServer(process, f"http://127.0.0.1:{port}/", log_path)


def run_phones(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run asyncio phones in a thread of their own: Playwright's sync API keeps a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
