"""A room of phones at the protocol level: joins, long polls, answers and reveals against `workshop serve`.

Phones are asyncio tasks, each with its own httpx client (its own connections, as a browser has), doing
what `participant.js` does: GET the page and the two assets it names, POST /api/join, then the long poll
GET /api/room?seen=SEQ in a loop; a phone is *ready* when it holds a view with the open poll (time from its
first GET). Arrivals are spread uniformly at random over a window, from a seeded RNG. The session is made
through `Store` on the server's database (module pursuer-avoider, min. group 5, its first scale poll with
reveal after-close, else its first such single poll). Server figures are of the participant server
process(es), read with psutil: CPU = user+system seconds, memory = PSS and RSS, open fds = num_fds.

- burst60 / burst150: 60 phones within 10 s, 150 within 60 s: ready p50/p95/max, failed phones (any
  non-200 or no poll within 60 s), server CPU-s per join (from just before the first GET to the last ready;
  in room300 this includes the whole ramp's background: the watcher's ticks and the 25 s re-polls).
- room300: 300 phones over --ramp-seconds, all staying connected: memory and fds per phone, idle CPU over
  --idle-seconds, then every phone answers within 20 s. Answer → console: the benchmark reads
  `store.answer_count` every 50 ms; answers are ranked by when their POST completed and the k-th is
  credited to the first reading ≥ k (latency from the start of its POST). Reveal: close + reveal through
  the store, then the time until each phone's long poll returns results with `bar-row`. Lost answers =
  answers acknowledged with 200 minus the final answer_count. Closed tabs: 20 phones drop their clients
  mid long poll; we time how long the server takes to close 20 fds.
- floor: a bare Voila + ipywidgets notebook (one Button) on its own Voila, N sequential page GETs (each
  starts a kernel): CPU-s of Voila and its children per page, kernel PSS, page and asset bytes.

Bytes are downstream wire bytes: the status line and headers as received plus the body as sent (gzip when
the server compresses; httpx `num_bytes_downloaded`), with `Accept-Encoding: gzip`. All traffic is to
127.0.0.1. The client runs on the same machine, so it competes with the servers for CPU.

    .venv/bin/python benchmarks/room.py --scenario all
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import resource
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import httpx
import psutil
import tornado
import voila

from workshop.content import find_module
from workshop.store import Store

PARTICIPANT_LINE = re.compile(r"Participants join at:\s*(\S+)")
CONSOLE_LINE = re.compile(r"Facilitator console \(this laptop only\):\s*(\S+)")
NOTABLE = re.compile(r"Traceback|ERROR|WARNING|Exception|\[E |\[W ")
SSL = ssl.create_default_context()  # one for all clients: httpx would build one per client otherwise
Rows = list[tuple[str, str, str]]


def now() -> float:
    return time.perf_counter()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wire_bytes(response: httpx.Response) -> int:
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    head += sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
    return head + response.num_bytes_downloaded


def pct(values: list[float], q: float) -> float:
    return sorted(values)[max(0, math.ceil(q * len(values)) - 1)]  # nearest rank


def spread(values: list[float]) -> str:
    return f"{pct(values, 0.5):.3f} / {pct(values, 0.95):.3f} / {max(values):.3f} s" if values else "n/a"


class Procs:
    """The participant server process(es), summed."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes = processes

    def cpu(self) -> float:
        return sum(p.cpu_times().user + p.cpu_times().system for p in self.processes)

    def memory(self) -> tuple[float, float]:
        infos = [p.memory_full_info() for p in self.processes]
        return sum(i.pss for i in infos) / 2**20, sum(i.rss for i in infos) / 2**20

    def fds(self) -> int:
        return sum(p.num_fds() for p in self.processes)


class Kit:
    """`workshop serve` on free loopback ports, stopped (SIGTERM, then kill) on exit."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir, self.log, self.children = args, workdir, [], []
        self.participant_url = self.console_url = ""
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Kit:
        command = [sys.executable, "-m", "workshop.cli", "serve", "--host", "127.0.0.1"]
        command += [f"--participant-port={free_port()}", f"--facilitator-port={free_port()}"]
        command += [f"--database={self.args.database}"]
        command += [f"--participant-servers={self.args.participant_servers}"]
        command += ["--joins-per-address=100000"]  # every played phone comes from 127.0.0.1
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
        self.process = subprocess.Popen(command, cwd=self.workdir, env=env, **pipe)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = now() + 90
        while not self.participant_url and now() < deadline and self.process.poll() is None:
            time.sleep(0.1)
        if not self.participant_url:
            self.__exit__()
            raise RuntimeError("workshop serve printed no participant address:\n" + "\n".join(self.log))
        self.children = psutil.Process(self.process.pid).children(recursive=True)
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line.rstrip("\n"))
            if match := CONSOLE_LINE.search(line):
                self.console_url = match.group(1)
            if match := PARTICIPANT_LINE.search(line):
                self.participant_url = re.sub(r"^(https?://)[^/:]+", r"\g<1>127.0.0.1", match.group(1))

    def participant_servers(self) -> Procs:
        found = [p for p in self.children if any("workshop.participant_server" in c for c in p.cmdline())]
        if not found:
            raise RuntimeError("no workshop.participant_server process under workshop serve")
        return Procs(found)

    def __exit__(self, *_exc: object) -> None:
        stop(self.process, self.children)
        if self.args.server_log:
            with open(self.args.server_log, "a") as out:
                out.write("\n".join(self.log) + "\n")


def stop(process: subprocess.Popen[Any] | None, children: list[psutil.Process]) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for child in children:
        with suppress(psutil.Error):
            if child.is_running():
                child.kill()


@dataclass
class Phone:
    key: str
    arrive: float  # seconds after the crowd starts
    t0: float = 0.0
    ready: float | None = None  # seconds from the first GET to holding the open poll
    poll: dict[str, Any] | None = None
    bars_at: float | None = None
    statuses: list[int] = field(default_factory=list)  # every non-200 answer the phone got
    refused_joins: int = 0
    joined: bool = False
    page_bytes: int = 0
    answer: tuple[float, float, int] | None = None  # POST start, POST end, status
    client: httpx.AsyncClient | None = None


class Crowd:
    """Phones of one session; `ready_cpu` is the server's CPU reading at the latest ready."""

    def __init__(self, base: str, code: str, servers: Procs, rng: random.Random) -> None:
        self.base, self.code, self.servers, self.rng = base, code, servers, rng
        self.phones: list[Phone] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.ready_cpu = 0.0

    def start(self, count: int, window: float, deadline: float) -> None:
        self.phones = [
            Phone(f"{self.rng.getrandbits(128):032x}", self.rng.uniform(0, window)) for _ in range(count)
        ]
        started = now()
        self.tasks = [asyncio.create_task(self.run(p, started + p.arrive, deadline)) for p in self.phones]

    async def run(self, phone: Phone, at: float, deadline: float) -> None:
        await asyncio.sleep(max(0.0, at - now()))
        headers = {"X-Workshop-Device": phone.key, "Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(base_url=self.base, headers=headers, timeout=40, verify=SSL) as client:
            phone.client, phone.t0 = client, now()
            try:
                await self.join(client, phone)
                if phone.joined:
                    await self.follow(client, phone, deadline)
            except httpx.HTTPError as error:
                phone.statuses.append(-1)
                print(f"  phone {phone.key[:6]}: {type(error).__name__} {error}", file=sys.stderr)

    async def join(self, client: httpx.AsyncClient, phone: Phone) -> None:
        page = await client.get("/", params={"code": self.code})
        assets = [await client.get(a) for a in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)]
        phone.page_bytes = sum(wire_bytes(r) for r in [page, *assets])
        phone.statuses += [r.status_code for r in [page, *assets] if r.status_code != 200]
        for failures in range(8):  # like participant.js: retry a 5xx with a growing, jittered wait
            reply = await client.post("/api/join", json={"code": self.code})
            if reply.status_code == 200:
                phone.joined = True
                return
            phone.statuses.append(reply.status_code)
            phone.refused_joins += reply.status_code == 503
            if reply.status_code < 500:
                return
            await asyncio.sleep(min(15.0, 0.5 * 2 ** min(failures, 5)) * self.rng.uniform(0.5, 1.5))

    async def follow(self, client: httpx.AsyncClient, phone: Phone, deadline: float) -> None:
        seen, failures = -1, 0
        for _ in range(2000):  # a long poll returns at least every ~25 s: 2,000 is far beyond any run
            if now() > deadline:
                return
            try:
                reply = await client.get("/api/room", params={"code": self.code, "seen": seen})
                status = reply.status_code
            except httpx.TransportError:
                status = -1
            if status != 200:
                phone.statuses.append(status)
                failures += 1
                await asyncio.sleep(min(15.0, 0.5 * 2 ** min(failures, 5)) * self.rng.uniform(0.5, 1.5))
                continue
            failures, view = 0, reply.json()
            seen = view["seq"]
            if view.get("poll") and phone.ready is None:
                phone.ready, phone.poll = now() - phone.t0, view["poll"]
                self.ready_cpu = self.servers.cpu()
            if "bar-row" in (view.get("results") or "") and phone.bars_at is None:
                phone.bars_at = now()
            if view.get("ended"):
                return

    async def answer(self, phone: Phone, at: float) -> None:
        await asyncio.sleep(max(0.0, at - now()))
        assert phone.client is not None and phone.poll is not None
        value = self.rng.choice(phone.poll["choices"])
        started = now()
        body = {"code": self.code, "poll": phone.poll["id"], "value": value}
        try:
            reply = await phone.client.post("/api/answer", json=body)
            phone.answer = (started, now(), reply.status_code)
        except httpx.HTTPError:
            phone.answer = (started, now(), -1)

    async def close(self, phones: list[Phone] | None = None) -> None:
        chosen = {id(p) for p in (phones if phones is not None else self.phones)}
        tasks = [t for t, p in zip(self.tasks, self.phones, strict=True) if id(p) in chosen]
        for task in tasks:
            task.cancel()  # leaves the client's `async with`: its sockets close mid long poll
        await asyncio.gather(*tasks, return_exceptions=True)

    def settled(self) -> bool:
        return all(p.ready or t.done() for p, t in zip(self.phones, self.tasks, strict=True))

    def here(self) -> list[Phone]:
        return [p for p, t in zip(self.phones, self.tasks, strict=True) if p.ready and not t.done()]

    def ready(self) -> list[float]:
        return [p.ready for p in self.phones if p.ready is not None]


async def wait(predicate: Any, timeout: float) -> None:
    end = now() + timeout
    while now() < end and not predicate():
        await asyncio.sleep(0.1)


def make_session(url: str) -> tuple[Store, int, str, str]:
    """A session of pursuer-avoider (min. group 5) with its first after-close scale (or single) poll open."""
    store, module = Store(url), find_module("pursuer-avoider", [])
    fits = [p for p in module.polls if p.reveal == "after-close" and p.kind in ("scale", "single")]
    poll = next((p for p in fits if p.kind == "scale"), fits[0]).id
    session = store.start_session(module, min_group_size=5)
    store.open_poll(session.id, poll)
    return store, session.id, session.join_code, poll


def floor_value(fl: dict[str, float], name: str, form: str) -> str:
    return form.format(fl[name]) if name in fl else "—"


def joined_rows(crowd: Crowd, fl: dict[str, float], joins: int, cpu: float) -> Rows:
    sizes = [p.page_bytes for p in crowd.phones if p.page_bytes] or [0]
    refused = sum(p.refused_joins for p in crowd.phones)
    statuses = sorted({s for p in crowd.phones for s in p.statuses})
    failed = sum(bool(p.statuses) or not p.ready or p.ready > 60 for p in crowd.phones)
    return [
        ("Phones / joined (in the store)", f"{len(crowd.phones)} / {joins}", "—"),
        (
            "Ready p50 / p95 / max",
            spread(crowd.ready()),
            floor_value(fl, "ready", "{:.3f} s (p50, HTML only)"),
        ),
        ("Failed (any non-200, or no poll within 60 s)", f"{failed} {statuses or ''}", "—"),
        ("Refused joins (503 answers to POST /api/join)", f"{refused}", "—"),
        ("Server CPU per join", f"{cpu / max(joins, 1):.4f} CPU-s", floor_value(fl, "cpu", "{:.3f} CPU-s")),
        (
            "Bytes per phone: page + CSS + JS",
            f"{statistics.median(sizes):.0f} B",
            floor_value(fl, "bytes", "{:.0f} B"),
        ),
    ]


async def chromium_phones(url: str, count: int, delay: float) -> list[float]:
    """Real Chromium phones (390×844) opening the join link in the middle of the burst: seconds until
    each shows the open question's Send button, as a person would see it (60 s means it never did)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        await asyncio.sleep(delay)

        async def one() -> float:
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            page = await context.new_page()
            started = now()
            try:
                await page.goto(url)
                await page.get_by_role("button", name="Send answer").wait_for(timeout=60_000)
                return now() - started
            except Exception:
                return 60.0
            finally:
                await context.close()

        times = await asyncio.gather(*(one() for _ in range(count)))
        await browser.close()
    return list(times)


async def burst(args: argparse.Namespace, kit: Kit, count: int, window: float, fl: dict[str, float]) -> Rows:
    store, session_id, code, _poll = make_session(args.database)
    servers = kit.participant_servers()
    crowd = Crowd(kit.participant_url, code, servers, random.Random(args.seed))
    browsers = None
    if args.chromium and Path("/usr/bin/chromium").exists():
        url = f"{kit.participant_url.rstrip('/')}/?code={code}"
        browsers = asyncio.create_task(chromium_phones(url, args.chromium, window / 2))
        await asyncio.sleep(3)  # Chromium starts before the burst; its pages open half-way through
    cpu0 = servers.cpu()
    crowd.start(count, window, now() + window + 90)
    await wait(crowd.settled, window + 60)
    shown = await browsers if browsers else []
    await crowd.close()
    joins = store.joined_count(session_id)
    store.close()
    rows = joined_rows(crowd, fl, joins, crowd.ready_cpu - cpu0)
    if shown:
        seen = ", ".join(f"{t:.2f}" for t in shown)
        rows.append((f"Chromium phones in the burst: poll visible after (s) [{len(shown)}]", seen, "—"))
    return rows


async def room(args: argparse.Namespace, kit: Kit, count: int, fl: dict[str, float]) -> Rows:
    store, session_id, code, poll = make_session(args.database)
    servers, rng = kit.participant_servers(), random.Random(args.seed)
    crowd = Crowd(kit.participant_url, code, servers, rng)
    (pss0, rss0), fds0, cpu0 = servers.memory(), servers.fds(), servers.cpu()
    crowd.start(count, args.ramp_seconds, now() + args.ramp_seconds + args.idle_seconds + 400)
    await wait(crowd.settled, args.ramp_seconds + 60)
    join_cpu = crowd.ready_cpu - cpu0
    await asyncio.sleep(2)
    (pss1, rss1), fds1, here = servers.memory(), servers.fds(), crowd.here()
    idle0 = servers.cpu()
    await asyncio.sleep(args.idle_seconds)
    idle = (servers.cpu() - idle0) / max(len(here), 1) / (args.idle_seconds / 60)

    # Answers: every phone within 20 s; the store's count read every 50 ms (see the docstring).
    counts: list[tuple[float, int]] = []
    tasks = [asyncio.create_task(crowd.answer(p, now() + rng.uniform(0, 20))) for p in here]
    ok = lambda: sum(bool(p.answer and p.answer[2] == 200) for p in here)  # noqa: E731
    for _ in range(2000):  # 100 s at most
        counts.append((now(), await asyncio.to_thread(store.answer_count, session_id, poll)))
        if all(t.done() for t in tasks) and counts[-1][1] >= ok():
            break
        await asyncio.sleep(0.05)
    accepted = sorted((p.answer for p in here if p.answer and p.answer[2] == 200), key=lambda a: a[1])
    latencies = []
    for rank, (started, _done, _status) in enumerate(accepted, start=1):
        if (seen := next((t for t, c in counts if c >= rank), None)) is not None:
            latencies.append(max(0.0, seen - started))
    refused_answers = sorted({p.answer[2] for p in here if p.answer and p.answer[2] != 200})

    revealed = now()
    await asyncio.to_thread(store.close_poll, session_id, poll)
    await asyncio.to_thread(store.reveal_poll, session_id, poll)
    await wait(lambda: all(p.bars_at for p in here), 60)
    bars = [p.bars_at - revealed for p in here if p.bars_at]

    tabs, fds_open = here[:20], servers.fds()
    closed_at = now()
    await crowd.close(tabs)
    fds: list[tuple[float, int]] = []
    for _ in range(600):  # 60 s
        fds.append((now() - closed_at, servers.fds()))
        if fds[-1][1] <= fds_open - len(tabs) + 2:
            break
        await asyncio.sleep(0.1)
    settled = fds[-1][1] <= fds_open - len(tabs) + 2
    back = f"down by {len(tabs)} (±2) in {fds[-1][0]:.1f} s" if settled else "not down by 20 within 60 s"

    final, joins = store.answer_count(session_id, poll), store.joined_count(session_id)
    await crowd.close()
    store.close()
    kib = 1024 / max(len(here), 1)
    pss, rss = (pss1 - pss0) * kib, (rss1 - rss0) * kib
    return [
        *joined_rows(crowd, fl, joins, join_cpu),
        ("Connected after the ramp / poll answered", f"{len(here)} / {poll}", "—"),
        (
            f"Idle CPU-s per phone-minute ({args.idle_seconds:.0f} s)",
            f"{idle:.5f}",
            floor_value(fl, "idle", "{:.5f}"),
        ),
        ("Server PSS / RSS before joins", f"{pss0:.1f} / {rss0:.1f} MiB", "—"),
        ("Server PSS / RSS per phone", f"{pss:.1f} / {rss:.1f} KiB", floor_value(fl, "pss", "{:.1f} MiB")),
        ("Server open fds: before joins / all connected", f"{fds0} / {fds1}", "—"),
        ("Answers sent / 200 / counted in the store", f"{len(here)} / {len(accepted)} / {final}", "—"),
        ("Lost answers (200 − stored) / refused", f"{len(accepted) - final} / {refused_answers or 0}", "—"),
        ("POST /api/answer p50 / p95 / max", spread([a[1] - a[0] for a in accepted]), "—"),
        ("Answer → store.answer_count p50 / p95 / max", spread(latencies), "—"),
        ("Reveal → bar-row on phone p50 / p95 / max", f"{spread(bars)} ({len(bars)} phones)", "—"),
        (f"{len(tabs)} tabs closed: server fds {fds_open} → {fds[-1][1]}", back, "—"),
    ]


async def floor(args: argparse.Namespace, workdir: Path) -> tuple[Rows, dict[str, float]]:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    cell["source"] = ["import ipywidgets as w\n", 'w.Button(description="hi")']
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    notebook = workdir / "floor.ipynb"
    notebook.write_text(json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5}))
    port, base = free_port(), ""
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen([*command, "--Voila.ip=127.0.0.1"], cwd=workdir, **quiet)
    children: list[psutil.Process] = []
    try:
        for _ in range(300):  # 60 s
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await asyncio.sleep(0.2)
        server, last = psutil.Process(process.pid), {}

        def tree_cpu() -> float:  # Voila and its kernels; a pid's last reading kept if it ends
            for p in [server, *server.children(recursive=True)]:
                with suppress(psutil.Error):
                    last[p.pid] = p.cpu_times().user + p.cpu_times().system
            return sum(last.values())

        base = f"http://127.0.0.1:{port}/"
        times, sizes = [], []
        async with httpx.AsyncClient(timeout=120, headers={"Accept-Encoding": "gzip"}, verify=SSL) as client:
            cpu0 = tree_cpu()
            for _ in range(args.floor_pages):
                started = now()
                page = await client.get(base)
                times.append(now() - started)
                sizes.append(wire_bytes(page))
            per_page = (tree_cpu() - cpu0) / args.floor_pages
            refs = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"', page.text)
            assets = sorted(
                {urljoin(base, r) for r in refs if urlparse(urljoin(base, r)).netloc == base[7:-1]}
            )
            asset_bytes = sum([wire_bytes(await client.get(a)) for a in assets])
        children = server.children(recursive=True)
        kernels = [p for p in children if any("ipykernel" in c for c in p.cmdline())]
        pss = [p.memory_full_info().pss / 2**20 for p in kernels] or [0.0]
        idle_s = min(args.idle_seconds, 30.0)
        idle0 = tree_cpu()
        await asyncio.sleep(idle_s)
        idle = (tree_cpu() - idle0) / max(len(kernels), 1) / (idle_s / 60)
    finally:
        stop(process, children)
    fl = {"ready": pct(times, 0.5), "cpu": per_page, "pss": statistics.median(pss)}
    fl |= {"bytes": statistics.median(sizes) + asset_bytes, "idle": idle}
    return [
        ("Pages (each starts a kernel) / kernels running", "—", f"{len(times)} / {len(kernels)}"),
        ("Page GET (HTML complete) p50 / p95 / max", "—", spread(times)),
        ("Voila + children CPU per page", "—", f"{per_page:.3f} CPU-s"),
        ("Kernel PSS, median", "—", f"{fl['pss']:.1f} MiB"),
        ("Page HTML bytes, median", "—", f"{statistics.median(sizes):.0f} B"),
        (f"Its JS/CSS on the same host ({len(assets)} files)", "—", f"{asset_bytes} B"),
        (f"Idle CPU per kernel per minute ({idle_s:.0f} s)", "—", f"{idle:.5f} CPU-s"),
    ], fl


def table(title: str, rows: Rows) -> None:
    print(f"\n### {title}\n\n| figure | this kit | bare Voila floor |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


async def run(args: argparse.Namespace, workdir: Path) -> None:
    fl: dict[str, float] = {}
    if args.scenario in ("all", "floor") or args.with_floor:
        load = os.getloadavg()
        rows, fl = await floor(args, workdir)
        loads = f"load average {load[0]:.2f} → {os.getloadavg()[0]:.2f}"
        table(f"floor: bare Voila + ipywidgets, {args.floor_pages} sequential pages ({loads})", rows)
    for name in ["burst60", "burst150", "room300"] if args.scenario == "all" else [args.scenario]:
        if name == "floor":
            continue
        load = os.getloadavg()
        with Kit(args, workdir) as kit:
            if name == "room300":
                rows = await room(args, kit, args.phones or 300, fl)
            else:
                count, window = (60, 10.0) if name == "burst60" else (150, 60.0)
                rows = await burst(args, kit, args.phones or count, window, fl)
        notes = [line for line in kit.log if NOTABLE.search(line)]
        kind = args.database.split(":")[0]
        table(f"{name} ({kind}; load average {load[0]:.2f} → {os.getloadavg()[0]:.2f})", rows)
        print(f"\nServer output lines that look like errors or warnings: {len(notes)}")
        for line in notes[:15]:
            print(f"    {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    scenarios = ["burst60", "burst150", "room300", "floor", "all"]
    parser.add_argument("--scenario", choices=scenarios, default="all")
    parser.add_argument("--database", help="store URL (default: a fresh SQLite file in a temp dir)")
    parser.add_argument("--server-log", type=Path, metavar="FILE", help="append all server output here")
    parser.add_argument("--participant-servers", type=int, default=1, metavar="N", help="passed to serve")
    parser.add_argument("--phones", type=int, help="instead of the scenario's number of phones")
    parser.add_argument("--ramp-seconds", type=float, default=180.0, help="room300's join window")
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--floor-pages", type=int, default=10)
    parser.add_argument("--with-floor", action="store_true", help="measure the floor for one scenario too")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chromium", type=int, default=2, help="real Chromium phones inside each burst")
    args = parser.parse_args(argv)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # 300 phones hold 300+ sockets here
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    load = os.getloadavg()
    print(f"# Room benchmark: {args.scenario}\n\n{platform.node()}, nproc {os.cpu_count()}, ", end="")
    print(f"python {platform.python_version()}, voila {voila.__version__}, tornado {tornado.version}")
    print(f"Load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    started = now()
    with tempfile.TemporaryDirectory(prefix="workshop-room-") as tmp:
        args.database = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(run(args, Path(tmp)))
    load = os.getloadavg()
    print(
        f"\nLoad average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; run time {now() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
