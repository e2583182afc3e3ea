"""The `workshop` command as a trainer or facilitator meets it: one clear line, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def workshop(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workshop.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_serve_on_a_port_in_use_says_which_option_to_change(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = workshop("serve", "--facilitator-port", str(port), cwd=tmp_path)
    assert result.returncode == 1
    assert f"port {port} is already in use" in result.stderr
    assert "--facilitator-port" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_with_an_unreachable_database_says_so(tmp_path: Path) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/none"
    result = workshop("serve", "--participant-port", "0", "--facilitator-port", "0", "--database", url)
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_with_an_unknown_module_lists_the_known_ones() -> None:
    result = workshop("serve", "--module", "no-such-module")
    assert result.returncode == 1
    assert "no module called 'no-such-module'" in result.stderr
    assert "pursuer-avoider" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_shows_built_in_and_trainer_modules() -> None:
    result = workshop("list", "--modules", str(TESTS / "modules"))
    assert result.returncode == 0
    assert "pursuer-avoider" in result.stdout and "built-in" in result.stdout
    assert "tiny" in result.stdout and "30 min, 5 polls" in result.stdout


def test_validate_reports_problems_with_their_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = (TESTS / "modules" / "tiny.yaml").read_text().replace("    minutes: 10\n", "    minutes: 5\n", 1)
    broken.write_text(text.replace("prompt: Who usually", "promt: Who usually"))
    result = workshop("validate", str(broken))
    assert result.returncode == 1
    assert f"{broken}:27:5: unknown field 'promt' in poll 'who' — did you mean 'prompt'?" in result.stdout
    assert "add up to 25, but duration is 30" in result.stdout
    assert workshop("validate").returncode == 0


def test_stopping_serve_stops_both_servers_and_their_kernels(tmp_path: Path) -> None:
    import re
    import signal
    import time
    import urllib.request

    import psutil

    ports = []
    for _ in range(2):
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            ports.append(free.getsockname()[1])
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "workshop.cli", "serve", "--host", "127.0.0.1",
             "--participant-port", str(ports[0]), "--facilitator-port", str(ports[1]),
             "--database", f"sqlite:///{tmp_path / 'w.sqlite3'}"],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while "Participants join at:" not in log_path.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        url = re.search(r"join at:\s+(\S+)", log_path.read_text())
        assert url
        # Voila runs the participant notebook inside the GET: a kernel exists once it returns.
        with urllib.request.urlopen(url[1], timeout=60) as page:
            assert page.status == 200
        family = psutil.Process(process.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(p.cmdline()) for p in family)
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0
        _gone, alive = psutil.wait_procs(family, timeout=30)
        assert alive == [], [p.cmdline() for p in alive]
        assert "Stopped." in log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
