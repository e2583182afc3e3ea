"""Keeping the workshop's servers up: one that dies is started again as it was, the others run on.

A crash of the participant server must not take the console down with it, nor a crash of the console's
server cut every phone off. Each server is started again on its own port with the same options and
token, after a short back-off; one that keeps dying ends the workshop with a line saying so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Server:
    """One server process, and how to start it again exactly as before."""

    name: str  # as the facilitator knows it: "participant server", "facilitator server", "nginx"
    port: int
    start: Callable[[], subprocess.Popen[bytes]]
    absence: str = ""  # what its absence means for the room, said when it stops
    host: str = "127.0.0.1"  # where to knock to learn that it listens again
    process: subprocess.Popen[bytes] = field(init=False)
    deaths: list[float] = field(default_factory=list)
    restart_at: float | None = None
    down_since: float | None = None

    def __post_init__(self) -> None:
        self.process = self.start()

    def listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(1)
            return probe.connect_ex((self.host, self.port)) == 0

    def clear_leftovers(self) -> None:
        """What the dead server started in its own process group (nginx's workers) would hold the port."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def how_it_stopped(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-returncode).name}"
        return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


@dataclass
class Supervision:
    """The rules: how long to wait before a restart, and how many restarts in how long are too many."""

    backoff: float = 1.0  # seconds before the first restart; doubled for each further one in the window
    restarts: int = 3  # restarts allowed within `window`; one more death ends the workshop
    window: float = 60.0
    say: Callable[[str], None] = _say
    clock: Callable[[], float] = time.monotonic

    def check(self, server: Server) -> str | None:
        """Notice a death, restart after the back-off, say when it is back; the line to end with, if any."""
        now = self.clock()
        if server.restart_at is not None:
            if now >= server.restart_at:
                server.restart_at = None
                server.process = server.start()
            return None
        if server.process.poll() is not None:
            server.clear_leftovers()
            server.deaths = [t for t in server.deaths if now - t < self.window] + [now]
            if len(server.deaths) > self.restarts:
                return (
                    f"The {server.name} stopped {len(server.deaths)} times within {self.window:.0f} s "
                    f"({how_it_stopped(server.process.returncode)}); giving up and stopping the workshop. "
                    "Its messages above say why."
                )
            delay = self.backoff * 2 ** (len(server.deaths) - 1)
            if server.down_since is None:
                server.down_since = now
            self.say(
                f"The {server.name} stopped unexpectedly ({how_it_stopped(server.process.returncode)}). "
                f"{server.absence} Starting it again on port {server.port} in {delay:g} s."
            )
            server.restart_at = now + delay
            return None
        if server.down_since is not None and server.listening():
            self.say(
                f"The {server.name} is running again on port {server.port}, "
                f"{now - server.down_since:.1f} s after it stopped."
            )
            server.down_since = None
        return None
