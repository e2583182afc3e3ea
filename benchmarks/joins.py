"""What a join costs: server CPU, kernel memory and answer-to-chart latency, measured on real parts.

Until issue 9 every participant got a Voila kernel of their own; now the participant server answers
phones itself (no kernel per phone) and `benchmarks/room.py` measures a whole room at the protocol
level. This script keeps the real-browser view of the same path, end to end:

1. Server CPU-seconds per join: user+system CPU of the participant Voila process and all its children
   (one kernel per participant), from before the first join until the last participant sees the poll,
   divided by the number of participants. Kernels may stop at any time, so their children are polled in
   the background and the last CPU reading of each kernel pid is kept.
2. Participant kernel memory: resident set size of each participant kernel once everyone has joined.
3. Page-ready time: from opening the join link to the first poll's scale buttons being visible.
4. Answer-to-chart latency: from clicking "Send answer" on a phone-sized page to the facilitator console
   showing the new count. It includes the store write, the participant kernel's round trip and the
   console's polling of the store.
5. Reveal latency: from clicking "Close and reveal" on the console to the projector screen drawing the
   chart, and to every phone drawing its HTML bars.

It starts `workshop serve` on free ports with a fresh SQLite file, drives the console and N participant
pages with Playwright on Chromium, checks the joins and answers in the store through the `workshop`
package, then stops the browser and the servers whatever happened.

    .venv/bin/python benchmarks/joins.py --participants 10
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
from playwright.sync_api import BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from workshop.content import find_module
from workshop.store import Store

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = ROOT / ".venv" / "bin" / "workshop"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONSOLE_LINE = re.compile(r"Facilitator console \(this laptop only\):\s*(\S+)")
PARTICIPANT_LINE = re.compile(r"Participants join at:\s*(\S+)")
NOTABLE_LOG = re.compile(
    r"Traceback|\bERROR\b|\bError\b|Exception|\[E |\[W |WARNING|Warning|cannot|could not|failed", re.ASCII
)
START_TIMEOUT_S = 90
PAGE_TIMEOUT_MS = 60_000
ANSWER_TIMEOUT_MS = 20_000


def free_port() -> int:
    """A port nothing listens on right now, chosen by the kernel."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def cpu_seconds(process: psutil.Process) -> float:
    """User plus system CPU time of one process, without its children."""
    times = process.cpu_times()
    return float(times.user + times.system)


def is_kernel(process: psutil.Process) -> bool:
    try:
        return any("ipykernel_launcher" in part for part in process.cmdline())
    except psutil.Error:
        return False


class CpuMeter(threading.Thread):
    """Polls a server process and its children, remembering each pid's last CPU reading."""

    def __init__(self, server: psutil.Process, interval: float = 0.2) -> None:
        super().__init__(name="cpu-meter", daemon=True)
        self.server = server
        self.interval = interval
        self.last: dict[int, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def sample(self) -> tuple[float, float]:
        """Read every process in the tree now; return CPU-seconds of the server and of all children seen."""
        processes = [self.server]
        with suppress(psutil.Error):  # the server is gone: keep what was seen
            processes += self.server.children(recursive=True)
        readings: dict[int, float] = {}
        for process in processes:
            try:
                readings[process.pid] = cpu_seconds(process)
            except psutil.Error:
                continue  # exited between listing and reading: its last reading stands
        with self._lock:
            self.last.update(readings)
            server = self.last.get(self.server.pid, 0.0)
            return server, sum(self.last.values()) - server

    def run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stopped.set()
        self.join()


@dataclass
class Server:
    """`workshop serve`, its output and the addresses it printed."""

    process: subprocess.Popen[str]
    console_url: str = ""
    participant_url: str = ""
    log: list[str] = field(default_factory=list)
    _lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line.rstrip("\n"))
            self._lines.put(line)
        self._lines.put(None)

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not (self.console_url and self.participant_url):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"workshop serve printed no addresses within {timeout:.0f} s")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"workshop serve exited at start (exit {self.process.wait()})")
            if match := CONSOLE_LINE.search(line):
                self.console_url = match.group(1)
            if match := PARTICIPANT_LINE.search(line):
                self.participant_url = match.group(1)

    def voila_processes(self) -> list[psutil.Process]:
        try:
            children: list[psutil.Process] = psutil.Process(self.process.pid).children()
        except psutil.Error:
            return []
        return children

    def participant_voila(self) -> psutil.Process:
        for child in self.voila_processes():
            try:
                if "workshop.participant_server" in child.cmdline():
                    return child
            except psutil.Error:
                continue
        raise RuntimeError("no participant server under workshop serve")


@contextmanager
def workshop_serve(workdir: Path) -> Iterator[Server]:
    """Run `workshop serve` on free ports with a fresh SQLite store; SIGTERM it and wait at the end."""
    command = [
        str(WORKSHOP),
        "serve",
        f"--participant-port={free_port()}",
        f"--facilitator-port={free_port()}",
        f"--database=sqlite:///{workdir / 'bench.sqlite3'}",
        "--joins-per-address=100000",  # every phone comes from 127.0.0.1
    ]
    process = subprocess.Popen(
        command,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    server = Server(process)
    reader = threading.Thread(target=server.read_output, name="serve-output", daemon=True)
    reader.start()
    voilas: list[psutil.Process] = []
    try:
        server.wait_until_ready(START_TIMEOUT_S)
        voilas = server.voila_processes()
        yield server
    finally:
        voilas = voilas or server.voila_processes()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for voila in voilas:  # serve stops these itself; only a killed serve leaves them behind
            with suppress(psutil.Error):
                if voila.is_running():
                    voila.kill()
        reader.join(timeout=5)


def local(url: str) -> str:
    """The participant address with the LAN host replaced by loopback."""
    return re.sub(r"^(https?://)[^/:]+", r"\g<1>127.0.0.1", url)


def start_session(console: Page) -> str:
    """Start a session of pursuer-avoider with groups of one, open its loop-frequency scale (a poll the
    room may see; the module's first poll is private); return the code."""
    console.get_by_role("button", name="Start session").wait_for(timeout=PAGE_TIMEOUT_MS)
    picker = console.locator("select").first  # its choices read "Title (id)"
    picker.select_option(label=picker.locator("option", has_text="(pursuer-avoider)").inner_text())
    console.locator(".widget-inline-hbox:has-text('Min. group') input").fill("1")
    console.get_by_role("button", name="Start session").click()
    code_element = console.locator(".join-code")
    code_element.wait_for(timeout=PAGE_TIMEOUT_MS)
    code = code_element.inner_text().strip()
    agenda = console.locator("select:visible")
    # The poll's row is found by the prompt it shows, as the facilitator finds it.
    prompt = find_module("pursuer-avoider").poll("loop-frequency").prompt
    row = console.locator(".poll-row").filter(has=console.get_by_text(prompt, exact=True))
    opener = row.get_by_role("button", name="Open", exact=True)
    for label in agenda.locator("option").all_inner_texts():
        agenda.select_option(label=label)
        with suppress(PlaywrightTimeout):  # the kernel redraws the section's poll controls
            opener.wait_for(timeout=3000)
            opener.click()
            break
    console.locator("p.counts", has_text=re.compile(r"^0 answered")).wait_for(timeout=PAGE_TIMEOUT_MS)
    return code


def counts_show(console: Page, answered: int) -> None:
    console.locator("p.counts", has_text=re.compile(rf"^{answered} answered\b")).wait_for(
        timeout=ANSWER_TIMEOUT_MS
    )


@dataclass
class Results:
    participants: int
    cpu_per_join: float = 0.0
    kernel_cpu_per_join: float = 0.0
    cpu_answers_per_participant: float = 0.0
    kernel_rss_mb: list[float] = field(default_factory=list)
    page_ready_s: list[float] = field(default_factory=list)
    latency_s: list[float] = field(default_factory=list)
    reveal_screen_s: float = 0.0
    reveal_phones_s: float = 0.0
    stored_joins: int = 0
    stored_answers: int = 0
    server_log: list[str] = field(default_factory=list)
    server_notes: list[str] = field(default_factory=list)


def measure(participants: int) -> Results:
    results = Results(participants)
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as tmp, workshop_serve(Path(tmp)) as server:
        participant_voila = server.participant_voila()
        meter = CpuMeter(participant_voila)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            contexts: list[BrowserContext] = []
            try:
                console = browser.new_page(viewport={"width": 1400, "height": 1000})
                console.goto(server.console_url)
                code = start_session(console)
                url = f"{local(server.participant_url)}?code={code}"
                with console.context.expect_page() as opened:
                    console.get_by_text("Open the projector screen").click()
                screen = opened.value
                screen.set_viewport_size({"width": 1920, "height": 1080})
                screen.locator(".join-code").wait_for(timeout=PAGE_TIMEOUT_MS)

                server_before, kernels_before = meter.sample()
                meter.start()
                pages: list[Page] = []
                for _ in range(participants):
                    context = browser.new_context(viewport={"width": 390, "height": 844})
                    contexts.append(context)
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url)
                    page.get_by_role("button", name="3", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
                    results.page_ready_s.append(time.perf_counter() - started)
                    pages.append(page)
                server_joined, kernels_joined = meter.sample()
                results.kernel_cpu_per_join = (kernels_joined - kernels_before) / participants
                results.cpu_per_join = (
                    results.kernel_cpu_per_join + (server_joined - server_before) / participants
                )
                results.kernel_rss_mb = kernel_rss_mb(participant_voila)

                for answered, page in enumerate(pages, start=1):
                    page.get_by_role("button", name="3", exact=True).click()
                    started = time.perf_counter()
                    page.get_by_role("button", name="Send answer").click()
                    counts_show(console, answered)
                    results.latency_s.append(time.perf_counter() - started)
                server_answered, kernels_answered = meter.sample()
                answer_cpu = server_answered + kernels_answered - server_joined - kernels_joined
                results.cpu_answers_per_participant = answer_cpu / participants

                reveal = console.locator("button", has_text="Close and reveal").first
                reveal.wait_for(timeout=PAGE_TIMEOUT_MS)
                started = time.perf_counter()
                # force: Playwright's wait for a "stable" element takes a second or more on this busy
                # page, which a person's click does not; the time measured is the kit's, not the robot's.
                reveal.click(force=True)
                screen.locator("text.bartext").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
                results.reveal_screen_s = time.perf_counter() - started
                for page in pages:
                    page.locator(".workshop-bars .bar-row").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
                results.reveal_phones_s = time.perf_counter() - started
            finally:
                if meter.is_alive():
                    meter.stop()
                for context in contexts:
                    context.close()
                browser.close()

        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", create=False)
        try:
            session = store.session_by_code(code)
            state = store.state(session.id)
            poll_id = state.open_poll or state.revealed_poll
            results.stored_joins = store.joined_count(session.id)
            results.stored_answers = len(store.answers(session.id, poll_id)) if poll_id else 0
        finally:
            store.close()
    results.server_log = server.log
    notable = Counter(line for line in server.log if NOTABLE_LOG.search(line))
    results.server_notes = [f"{count} × {line}" for line, count in notable.items()]
    return results


def kernel_rss_mb(server: psutil.Process) -> list[float]:
    """Resident memory of each kernel under the server, in MiB."""
    sizes = []
    for process in server.children(recursive=True):
        if is_kernel(process):
            with suppress(psutil.Error):  # a kernel that just ended has no size
                sizes.append(process.memory_info().rss / 2**20)
    if not sizes:  # no kernel per phone: the participant server's own memory, for all of them
        with suppress(psutil.Error):
            sizes.append(server.memory_info().rss / 2**20)
    return sizes


def median_max(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), max(values)


def report(results: Results, command: str) -> None:
    rss_median, rss_max = median_max(results.kernel_rss_mb)
    ready_median, ready_max = median_max(results.page_ready_s)
    latency_median, latency_max = median_max(results.latency_s)
    rows = [
        ("Participants", f"{results.participants}"),
        ("Server CPU per join (participant Voila + kernels)", f"{results.cpu_per_join:.2f} CPU-s"),
        ("  of which in the kernels", f"{results.kernel_cpu_per_join:.2f} CPU-s"),
        ("Server CPU per answer (same processes)", f"{results.cpu_answers_per_participant:.2f} CPU-s"),
        (
            "Participant kernel RSS, median / max (or the participant server's, without kernels)",
            f"{rss_median:.0f} / {rss_max:.0f} MB",
        ),
        (
            "Page ready (link opened → poll visible), median / worst",
            f"{ready_median:.2f} / {ready_max:.2f} s",
        ),
        (
            "Answer-to-chart latency (incl. store write), median / worst",
            f"{latency_median:.2f} / {latency_max:.2f} s",
        ),
        ("Reveal → chart on the projector screen", f"{results.reveal_screen_s:.2f} s"),
        (f"Reveal → HTML bars on all {results.participants} phones", f"{results.reveal_phones_s:.2f} s"),
        (
            "Stored joins / answers (checked in the store)",
            f"{results.stored_joins} / {results.stored_answers}",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\nJoin benchmark — {datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} CPUs")
    print(f"Command: {command}\n")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(
        "\nCPU per join runs from before the first join until the last participant sees the poll; it"
        "\nincludes the polling of kernels already joined; the facilitator's server is not counted."
        "\nLatency is from the click on 'Send answer' to the console showing the new count, so it"
        "\nincludes the store write and the console's 0.3 s polling. Reveal times include the screen's"
        "\nand the phones' 0.5 s polling."
    )
    if results.server_notes:
        print("\nServer output worth a look (count × line):")
        for line in results.server_notes[:20]:
            print(f"  {line}")
    else:
        print("\nNo warnings or errors in the server output.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--participants", type=int, default=10, metavar="N", help="how many join (default 10)"
    )
    parser.add_argument("--server-log", type=Path, metavar="FILE", help="also write all server output here")
    args = parser.parse_args(argv)
    if args.participants < 1:
        parser.error("--participants must be at least 1")
    command = shlex.join([sys.executable, *sys.argv]) if argv is None else shlex.join(argv)
    started = time.perf_counter()
    results = measure(args.participants)
    if args.server_log:
        args.server_log.write_text("\n".join(results.server_log) + "\n")
    report(results, command)
    print(f"\nTotal run time {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
