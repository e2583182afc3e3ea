"""How long the facilitator's console page takes to come up in Chromium, and what its kernel holds.

Starts `workshop serve` on free ports with a fresh SQLite file, then loads the console page --pages times,
each in a new browser context (a new kernel), at 1366×768. *Start page*: time from `goto` until the
"Start session" button is visible. *Resumed*: with a session running and a poll open (the console resumes
it by itself), until the join code and the counts are visible. After each load, the kernel's memory
(PSS and RSS, psutil) is read from the kernel processes of the facilitator's Voila, then the page closes.
*Bare Voila* is the floor, measured in the same run: a plain `voila` serving a notebook that displays one
`ipywidgets.Button(description="Start session")`, loaded and read the same way (until the button shows).

    PYTHONPATH=. .venv/bin/python benchmarks/console_page.py --pages 3
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import psutil

from workshop.content import find_module
from workshop.store import Store

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MODULES = Path(__file__).parent.parent / "tests" / "modules"
VOILA = Path(sys.executable).parent / "voila"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(folder: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    database = f"sqlite:///{folder / 'workshop.sqlite3'}"
    log = (folder / "serve.log").open("wb")
    command = [
        sys.executable, "-m", "workshop.cli", "serve", "--host", "127.0.0.1",
        "--participant-port", str(free_port()), "--facilitator-port", str(free_port()),
        "--database", database, "--modules", str(MODULES),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while "Participants join at:" not in (text := (folder / "serve.log").read_text(errors="replace")):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"workshop serve did not start:\n{text}")
        time.sleep(0.3)
    console = re.search(r"console \(this laptop only\): (\S+)", text)
    assert console
    return process, console[1], database


def floor_notebook(folder: Path) -> Path:
    """A notebook that only displays one ipywidgets button, as the console's start page does."""
    source = ["import ipywidgets\n", 'ipywidgets.Button(description="Start session")']
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    notebook = folder / "floor.ipynb"
    notebook.write_text(json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5}))
    return notebook


def serve_floor(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A bare Voila on a free port serving the floor notebook; the process and its URL."""
    port = free_port()
    log = (folder / "voila.log").open("wb")
    command = [
        str(VOILA), str(floor_notebook(folder)), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}/"
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"voila did not start:\n{(folder / 'voila.log').read_text(errors='replace')}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server, then end any of its kernels still running."""
    left: list[psutil.Process] = []
    with suppress(psutil.Error):
        left = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    process.wait(30)
    for child in left:
        with suppress(psutil.Error):
            child.terminate()
    psutil.wait_procs(left, timeout=10)


def floor(browser: Any, folder: Path, pages: int) -> list[tuple[float, float, float]]:
    """The bare-Voila floor: `pages` loads of the one-button notebook, after one uncounted warm-up."""
    process, url = serve_floor(folder)
    try:
        load(browser, url, ["Start session"], process)  # warm the disk cache; not counted
        return [load(browser, url, ["Start session"], process) for _ in range(pages)]
    finally:
        stop(process)


def kernels(serve_process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    family = psutil.Process(serve_process.pid).children(recursive=True)
    return [p for p in family if any("ipykernel" in part for part in p.cmdline())]


def load(
    browser: Any, url: str, ready: list[str], serve_process: subprocess.Popen[bytes]
) -> tuple[float, float, float]:
    """Seconds until every `ready` text shows, and the new kernel's PSS and RSS in MB."""
    before = {p.pid for p in kernels(serve_process)}
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(120_000)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    for text in ready:
        page.get_by_text(text).filter(visible=True).first.wait_for()
    took = time.perf_counter() - start
    time.sleep(1)  # let the kernel finish whatever the first render started
    new = [p for p in kernels(serve_process) if p.pid not in before]
    info = new[0].memory_full_info() if new else None
    context.close()
    return took, (info.pss / 2**20 if info else 0.0), (info.rss / 2**20 if info else 0.0)


def report(name: str, rows: list[tuple[float, float, float]]) -> None:
    times = [t for t, _, _ in rows]
    print(
        f"{name:12} page up: median {statistics.median(times):5.2f} s (min {min(times):.2f}, "
        f"max {max(times):.2f}) · kernel PSS {statistics.median(p for _, p, _ in rows):.0f} MB, "
        f"RSS {statistics.median(r for _, _, r in rows):.0f} MB · {len(rows)} pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-Voila floor")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        process, url, database = serve(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                load(browser, url, ["Start session"], process)  # warm the disk cache; not counted
                report(
                    "start page",
                    [load(browser, url, ["Start session"], process) for _ in range(options.pages)],
                )
                store = Store(database, create=False)
                record = store.start_session(find_module("tiny", [MODULES]), min_group_size=1)
                store.open_poll(record.id, "who")
                ready = [record.join_code, "devices joined"]
                report("resumed", [load(browser, url, ready, process) for _ in range(options.pages)])
                if not options.no_floor:
                    floor_folder = Path(folder) / "floor"
                    floor_folder.mkdir()
                    report("bare Voila", floor(browser, floor_folder, options.pages))
                browser.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)


if __name__ == "__main__":
    main()
