"""`workshop serve`: the servers a workshop runs on, started and stopped together.

Participants get a server of their own (`workshop.participant_server`: their page and nothing else, no
kernel per phone), open to the venue's network; for a very large room, several of them behind nginx.
The facilitator's console and the projector screen share a Voila server on loopback behind a fresh
token. All share one store through WORKSHOP_DATABASE_URL.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from workshop.errors import ServeError
from workshop.sessions import lan_address
from workshop.supervision import Server, Supervision
from workshop.tls import tls_context

# The notebooks are package data, so an installed kit serves them too; the checkout's top-level
# notebooks/ folder holds links to these.
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
# Our Voila template (the lab one without CDN requests) lives here; Voila finds it through JUPYTER_PATH.
SHARE = Path(__file__).resolve().parent / "share"


@dataclass
class ServeOptions:
    """Where the servers listen and what they use."""

    host: str = "0.0.0.0"
    participant_port: int = 8866
    facilitator_port: int = 8867
    database_url: str = ""
    module_folders: list[Path] = field(default_factory=list)
    public_url: str = ""  # the participant address as phones see it, when a proxy stands in front
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # A console or screen tab closed for this long gives its kernel back (a connected one is never culled).
    cull_idle_seconds: int = 600
    support_file: Path | None = None  # the local support contacts (else WORKSHOP_SUPPORT or a modules folder)
    participant_servers: int = 1  # more than one: nginx in front, each server on a loopback port
    max_connections: int = 2000  # per participant server: beyond it phones are told the room is full
    per_address: int = 400
    joins_per_address: int = 6  # new devices per address per ten minutes (raise it behind one NAT)
    certfile: Path | None = None  # with keyfile: phones use https (nginx does it for several servers)
    keyfile: Path | None = None

    @property
    def tls(self) -> tuple[Path, Path] | None:
        return (self.certfile, self.keyfile) if self.certfile and self.keyfile else None


@dataclass
class Servers:
    """The running servers and the addresses people open."""

    participants: list[Server]
    facilitator: Server
    participant_url: str
    console_url: str
    screen_url: str
    proxy: Server | None = None

    @property
    def all(self) -> list[Server]:
        return [*([self.proxy] if self.proxy else []), *self.participants, self.facilitator]

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [server.process for server in self.all]

    def stop(self, timeout: float = 10) -> None:
        """Stop every server; Voila shuts its kernels down on SIGTERM."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(
                f"the {name} server stopped at start (exit {process.returncode}); see its log above"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise ServeError(f"the {name} server did not start listening on port {port} within 60 s")


# What the servers say that a facilitator has no use for: addresses other than the kit's own, start-up
# chatter, kernel bookkeeping, and two warnings Voila prints for every page. Anything else (warnings of
# our own, errors, tracebacks) still reaches the terminal.
_NOISE = re.compile(
    r"is not trusted|running over TCP without encryption|websocket_ping_timeout|^http://|^\s*$"
    r"|^\[Voila\] (Voil. is running at|Using |Storing connection|Starting buffering|Serving static"
    r"|Kernel started|Kernel shutdown|Handle signal|Culling kernels|Connecting to kernel|Adapting from)"
    r"|^\[participant INFO\]"
)


def _relay(process: subprocess.Popen[bytes]) -> None:
    """Pass a server's output on to the facilitator's terminal, without the noise."""

    def pump() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            if not _NOISE.search(line):
                print(line, file=sys.stderr, flush=True)

    threading.Thread(target=pump, daemon=True).start()


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches us alone; we stop the servers in order
    )
    _relay(process)
    return process


def _voila(*args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        "--no-browser",
        "--VoilaConfiguration.show_tracebacks=False",
        "--template=workshop",
        # A ?template= or ?theme= in an address must not change what the kernel runs.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        *args,
    ]


def _participant_server(
    options: ServeOptions, database_url: str, host: str, port: int, name: str
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "workshop.participant_server",
        f"--host={host}",
        f"--port={port}",
        f"--database={database_url}",
        f"--max-connections={options.max_connections}",
        f"--per-address={options.per_address}",
        f"--joins-per-address={options.joins_per_address}",
        f"--name={name}",
        *(["--behind-proxy"] if options.participant_servers > 1 else []),
        # Behind nginx the servers are on loopback and nginx speaks https to the phones.
        *(
            [f"--certfile={options.tls[0].resolve()}", f"--keyfile={options.tls[1].resolve()}"]
            if options.tls and options.participant_servers == 1
            else []
        ),
    ]


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_servers(options: ServeOptions) -> Servers:
    """Check everything that can be checked first, then start the servers and wait until they listen."""
    from workshop.retention import RETENTION_DAYS, purge_ended, purged_line
    from workshop.store import Store, checked_database_url, default_database_url

    if not (NOTEBOOKS / "facilitator.ipynb").exists():
        raise ServeError(f"the notebooks are missing from {NOTEBOOKS} — reinstall the kit")
    if options.participant_servers < 1:
        raise ServeError("--participant-servers must be 1 or more")
    for port, flag in (
        (options.participant_port, "--participant-port"),
        (options.facilitator_port, "--facilitator-port"),
    ):
        if not port_is_free("0.0.0.0" if flag == "--participant-port" else "127.0.0.1", port):
            raise ServeError(
                f"port {port} is already in use — stop what uses it, or choose another with {flag}"
            )
    if options.participant_servers > 1:
        from workshop.proxy import find_nginx

        find_nginx()  # say so before starting anything
    if options.certfile or options.keyfile:
        if not options.tls:
            raise ServeError("https needs both --certfile and --keyfile")
        tls_context(*options.tls)  # a missing, unreadable or mismatched file stops us here
    database_url = checked_database_url(options.database_url or default_database_url())
    store = Store(database_url)  # creates the schema; DatabaseError when unreachable
    if purged := purge_ended(store):  # raw answers are not kept past RETENTION_DAYS (workshop.retention)
        print(purged_line(purged, RETENTION_DAYS), flush=True)
    store.close()

    host_for_phones = lan_address() if options.host in ("0.0.0.0", "") else options.host
    scheme = "https" if options.tls else "http"
    participant_base = options.public_url or f"{scheme}://{host_for_phones}:{options.participant_port}"
    env = {
        **os.environ,
        "WORKSHOP_DATABASE_URL": database_url,
        "WORKSHOP_PARTICIPANT_URL": participant_base,
        "WORKSHOP_MODULES": os.pathsep.join(str(p.resolve()) for p in options.module_folders),
        **({"WORKSHOP_SUPPORT": str(options.support_file.resolve())} if options.support_file else {}),
        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(SHARE), os.environ.get("JUPYTER_PATH", "")])),
    }
    if options.participant_servers == 1:
        ports = [options.participant_port]
        listen = [(options.host, options.participant_port)]
    else:
        ports = [free_loopback_port() for _ in range(options.participant_servers)]
        listen = [("127.0.0.1", port) for port in ports]
    knock = "127.0.0.1" if options.host in ("0.0.0.0", "") else options.host
    participants = [
        Server(
            "participant server",
            port,
            partial(_start, _participant_server(options, database_url, host, port, f"phones-{n}"), env),
            absence="Phones keep their place and reconnect by themselves.",
            host="127.0.0.1" if host in ("0.0.0.0", "") else host,
        )
        for n, (host, port) in enumerate(listen, start=1)
    ]
    facilitator_command = _voila(
        str(NOTEBOOKS),
        f"--port={options.facilitator_port}",
        "--Voila.ip=127.0.0.1",
        f"--token={options.token}",
        f"--MappingKernelManager.cull_idle_timeout={options.cull_idle_seconds}",
        "--MappingKernelManager.cull_interval=60",
    )
    facilitator = Server(
        "facilitator server",
        options.facilitator_port,
        partial(_start, facilitator_command, env),
        absence="Phones are not affected; reload the console and the projector screen once it is back.",
    )
    base = f"http://127.0.0.1:{options.facilitator_port}/voila/render"
    servers = Servers(
        participants,
        facilitator,
        participant_url=participant_base + "/",
        console_url=f"{base}/facilitator.ipynb?token={options.token}",
        screen_url=f"{base}/screen.ipynb?token={options.token}",
    )
    try:
        for server in participants:
            _wait_until_listening(server.process, server.port, "participant")
        if options.participant_servers > 1:
            from workshop.proxy import start_nginx

            data = Path(os.environ.get("WORKSHOP_DATA", "data")).resolve()
            servers.proxy = Server(
                "nginx",
                options.participant_port,
                partial(
                    start_nginx,
                    [f"127.0.0.1:{server.port}" for server in participants],
                    f"{options.host or '0.0.0.0'}:{options.participant_port}",
                    data / f"nginx-{options.participant_port}",
                    options.tls,
                ),
                absence="Phones cannot reach the participant servers until it is back.",
                host=knock,
            )
            _wait_until_listening(servers.proxy.process, options.participant_port, "nginx")
        _wait_until_listening(facilitator.process, options.facilitator_port, "facilitator")
    except BaseException:
        servers.stop()
        raise
    return servers


def serve(options: ServeOptions, supervision: Supervision | None = None) -> int:
    """Run the servers until Ctrl-C (or SIGTERM), then stop them and their kernels.

    A server that dies meanwhile is started again as it was (see `workshop.supervision`).
    """
    supervision = supervision or Supervision()
    servers = start_servers(options)
    print(
        "\nThe workshop is running.\n"
        f"  Facilitator console (this laptop only): {servers.console_url}\n"
        f"  Projector screen (this laptop only):    {servers.screen_url}\n"
        f"  Participants join at:                   {servers.participant_url}\n"
        "Press Ctrl-C to stop the servers.\n",
        flush=True,
    )
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stopping:
            for server in servers.all:
                giving_up = supervision.check(server)
                if giving_up:
                    print(giving_up, file=sys.stderr, flush=True)
                    return 1
            time.sleep(0.3)
    finally:
        print("Stopping the servers…", flush=True)
        servers.stop()
    print("Stopped.", flush=True)
    return 0
