"""`workshop serve`: the two Voila servers a workshop runs on, started and stopped together.

Participants get a server of their own in single-notebook mode (it can render nothing but their page),
open to the venue's network. The facilitator's console and the projector screen share a second server
on loopback behind a fresh token. Both share one store through WORKSHOP_DATABASE_URL.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from workshop.errors import ServeError
from workshop.sessions import lan_address

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
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
    cull_idle_seconds: int = 300


@dataclass
class Servers:
    """The two running Voila processes and the addresses people open."""

    participant: subprocess.Popen[bytes]
    facilitator: subprocess.Popen[bytes]
    participant_url: str
    console_url: str
    screen_url: str

    def stop(self, timeout: float = 10) -> None:
        """Stop both servers; Voila shuts its kernels down on SIGTERM."""
        for process in (self.participant, self.facilitator):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in (self.participant, self.facilitator):
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


def _voila(*args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        "--no-browser",
        "--VoilaConfiguration.show_tracebacks=False",
        "--template=workshop",
        # A ?template= or ?theme= in a participant's address must not change what the kernel runs.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        *args,
    ]


def start_servers(options: ServeOptions) -> Servers:
    """Check everything that can be checked first, then start both servers and wait until they listen."""
    from workshop.store import Store, default_database_url

    if not (NOTEBOOKS / "participant.ipynb").exists():
        raise ServeError(f"the notebooks are missing from {NOTEBOOKS} — run from a full checkout")
    for port, flag in (
        (options.participant_port, "--participant-port"),
        (options.facilitator_port, "--facilitator-port"),
    ):
        if not port_is_free("0.0.0.0" if flag == "--participant-port" else "127.0.0.1", port):
            raise ServeError(
                f"port {port} is already in use — stop what uses it, or choose another with {flag}"
            )
    database_url = options.database_url or default_database_url()
    store = Store(database_url)  # creates the schema; DatabaseError when unreachable
    store.close()

    host_for_phones = lan_address() if options.host in ("0.0.0.0", "") else options.host
    participant_base = options.public_url or f"http://{host_for_phones}:{options.participant_port}"
    env = {
        **os.environ,
        "WORKSHOP_DATABASE_URL": database_url,
        "WORKSHOP_PARTICIPANT_URL": participant_base,
        "WORKSHOP_MODULES": os.pathsep.join(str(p.resolve()) for p in options.module_folders),
        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(SHARE), os.environ.get("JUPYTER_PATH", "")])),
    }
    participant = subprocess.Popen(
        _voila(
            str(NOTEBOOKS / "participant.ipynb"),
            f"--port={options.participant_port}",
            f"--Voila.ip={options.host}",
            f"--MappingKernelManager.cull_idle_timeout={options.cull_idle_seconds}",
            "--MappingKernelManager.cull_interval=60",
        ),
        env=env,
        start_new_session=True,  # Ctrl-C reaches us alone; we stop the servers in order
    )
    facilitator = subprocess.Popen(
        _voila(
            str(NOTEBOOKS),
            f"--port={options.facilitator_port}",
            "--Voila.ip=127.0.0.1",
            f"--token={options.token}",
        ),
        env=env,
        start_new_session=True,
    )
    servers = Servers(
        participant,
        facilitator,
        participant_url=participant_base + "/",
        console_url=f"http://127.0.0.1:{options.facilitator_port}/voila/render/facilitator.ipynb?token={options.token}",
        screen_url=f"http://127.0.0.1:{options.facilitator_port}/voila/render/screen.ipynb?token={options.token}",
    )
    try:
        _wait_until_listening(participant, options.participant_port, "participant")
        _wait_until_listening(facilitator, options.facilitator_port, "facilitator")
    except BaseException:
        servers.stop()
        raise
    return servers


def serve(options: ServeOptions) -> int:
    """Run both servers until Ctrl-C (or SIGTERM), then stop them and their kernels."""
    servers = start_servers(options)
    print(
        "\nThe workshop is running.\n"
        f"  Facilitator console (this laptop only): {servers.console_url}\n"
        f"  Projector screen (this laptop only):    {servers.screen_url}\n"
        f"  Participants join at:                   {servers.participant_url}\n"
        "Press Ctrl-C to stop both servers.\n",
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
            if servers.participant.poll() is not None or servers.facilitator.poll() is not None:
                print("A server stopped unexpectedly; stopping the other.", file=sys.stderr)
                servers.stop()
                return 1
            time.sleep(0.3)
    finally:
        print("Stopping the servers…", flush=True)
        servers.stop()
    print("Stopped.", flush=True)
    return 0
