"""The rules `workshop serve` restarts servers by, with real processes that die at once."""

from __future__ import annotations

import subprocess
import sys

from workshop.supervision import Server, Supervision


def dying() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])


def test_a_server_that_keeps_dying_is_restarted_with_growing_waits_then_given_up() -> None:
    now = [0.0]
    said: list[str] = []
    supervision = Supervision(backoff=1.0, restarts=3, window=60.0, say=said.append, clock=lambda: now[0])
    server = Server("participant server", 8866, dying, absence="Phones reconnect by themselves.")
    waits, ending = [], None
    while ending is None and now[0] < 60:
        server.process.wait(10)
        ending = supervision.check(server)  # notices the death
        if ending is None:
            assert server.restart_at is not None
            waits.append(server.restart_at - now[0])
            now[0] = server.restart_at
            assert supervision.check(server) is None  # started again
    assert waits == [1.0, 2.0, 4.0]
    assert said[0] == (
        "The participant server stopped unexpectedly (exit status 3). Phones reconnect by themselves. "
        "Starting it again on port 8866 in 1 s."
    )
    assert ending is not None and ending.startswith("The participant server stopped 4 times within 60 s")
    assert "giving up" in ending


def test_deaths_far_apart_never_add_up_to_giving_up() -> None:
    now = [0.0]
    supervision = Supervision(restarts=3, window=60.0, say=lambda _line: None, clock=lambda: now[0])
    server = Server("facilitator server", 8867, dying)
    for _ in range(6):
        server.process.wait(10)
        assert supervision.check(server) is None
        assert server.restart_at == now[0] + 1.0  # each a first death within its window: the short wait
        now[0] += 61
        supervision.check(server)
    server.process.wait(10)
