"""The `workshop` command as a trainer or facilitator meets it: one clear line, never a traceback."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

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


def test_stopping_serve_stops_every_server_and_their_kernels(tmp_path: Path) -> None:
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
        phones = re.search(r"join at:\s+(\S+)", log_path.read_text())
        console = re.search(r"console \(this laptop only\): (\S+)", log_path.read_text())
        assert phones and console
        with urllib.request.urlopen(phones[1], timeout=60) as page:
            assert page.status == 200
        # Voila runs the console notebook inside the GET: a kernel exists once it returns.
        with urllib.request.urlopen(console[1], timeout=60) as page:
            assert page.status == 200
        family = psutil.Process(process.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(p.cmdline()) for p in family)
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0
        _gone, alive = psutil.wait_procs(family, timeout=30)
        assert alive == [], [p.cmdline() for p in alive]
        said = log_path.read_text()
        assert "Stopped." in said
        # Only the kit's addresses and real problems reach the facilitator's terminal.
        assert "is not trusted" not in said and "Voilà is running at" not in said
        assert "without encryption" not in said and "Kernel started" not in said
    finally:
        if process.poll() is None:
            process.kill()


def test_validate_checks_a_trainers_language_file_and_a_modules_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from workshop.cli import main

    text = (
        (TESTS / "modules" / "tiny.yaml")
        .read_text()
        .replace("title: A tiny test module", "title: Petit\nlanguage: fr")
        .replace("id: tiny\n", "id: tiny-fr\n")
    )
    (tmp_path / "tiny-fr.yaml").write_text(text)
    assert main(["validate", "--modules", str(tmp_path), str(tmp_path / "tiny-fr.yaml")]) == 1
    assert "language 'fr' has no strings file — add fr.json" in capsys.readouterr().out
    (tmp_path / "fr.json").write_text(json.dumps({"participant.send": "Envoyer"}))
    assert main(["validate", "--modules", str(tmp_path), str(tmp_path / "tiny-fr.yaml")]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'tiny-fr.yaml'}: ok" in out
    assert f"{tmp_path / 'fr.json'}:1:1: missing string 'participant.join' — add it" in out


def test_export_lists_sessions_then_writes_one_naming_its_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from workshop.cli import main
    from workshop.content import load_module
    from workshop.store import Store

    url = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
    tiny = load_module(TESTS / "modules" / "tiny.yaml")
    store = Store(url)
    session = store.start_session(tiny)
    store.end_session(session.id)
    store.close()
    assert main(["export", "--database", url]) == 0
    assert session.join_code in capsys.readouterr().out
    out = tmp_path / "results.json"
    assert main(["export", "--database", url, "--code", session.join_code, "--out", str(out)]) == 0
    assert json.loads(out.read_text())["module"]["version"] == tiny.content_hash
    assert main(["export", "--database", url, "--code", "ZZZZ9"]) == 1
    assert "doesn't match a session" in capsys.readouterr().err


def test_purge_refuses_a_running_session_and_keeps_an_ended_ones_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_exports import run_session
    from workshop.cli import main
    from workshop.content import load_module
    from workshop.store import Store

    url = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
    store = Store(url)
    ended = store.session(run_session(store, load_module(TESTS / "modules" / "tiny.yaml")))
    store.end_session(ended.id)
    running = store.start_session(load_module(TESTS / "modules" / "tiny.yaml"))
    store.close()
    assert main(["export", "--database", url, "--code", ended.join_code, "--format", "csv"]) == 0
    exported = capsys.readouterr().out
    assert main(["purge", "--database", url, "--code", running.join_code]) == 1
    refused = capsys.readouterr().err
    assert f"workshop purge: session {running.join_code} is still running — end it" in refused
    assert len(refused.strip().splitlines()) == 1
    assert main(["purge", "--database", url, "--code", ended.join_code]) == 0
    assert f"Purged session {ended.join_code}" in capsys.readouterr().out
    assert main(["export", "--database", url, "--code", ended.join_code, "--format", "csv"]) == 0
    assert capsys.readouterr().out == exported
    assert main(["purge", "--database", url]) == 0
    assert "No session that ended more than 30 days ago" in capsys.readouterr().out
    assert "(default: 30)" in workshop("purge", "--help").stdout


def test_import_article_writes_a_draft_that_validates_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workshop.cli import main

    article = TESTS / "articles" / "planner-improviser.txt"
    assert main(["import-article", str(article), "--id", "planner", "--modules", str(tmp_path)]) == 0
    assert "Wrote" in capsys.readouterr().out
    draft = tmp_path / "planner.yaml"
    assert "REVIEW" in draft.read_text()
    assert main(["validate", "--draft", str(draft)]) == 0  # a draft still holds its REVIEW marks
    assert main(["list", "--modules", str(tmp_path)]) == 0
    assert "planner" in capsys.readouterr().out
    assert main(["import-article", str(article), "--id", "planner", "--modules", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_support_contacts_are_checked_before_anything_starts(tmp_path: Path) -> None:
    example = workshop("support", "--example")
    assert example.returncode == 0 and "support:" in example.stdout
    unedited = tmp_path / "support.yaml"
    unedited.write_text(example.stdout)
    refused = workshop("serve", "--support", str(unedited), cwd=tmp_path)
    assert refused.returncode == 1
    assert "still says REPLACE — put in the real local service" in refused.stderr
    unedited.write_text("support:\n  - name: Helpline\n    phone: 0100 000 000\n    colour: red\n")
    assert "unknown field 'colour'" in workshop("support", "--support", str(unedited)).stderr
    unedited.write_text("support:\n  - name: Helpline\n    phone: '0100 000 000'\n")
    listed = workshop("support", "--support", str(unedited))
    assert listed.returncode == 0 and "**Helpline**: 0100 000 000" in listed.stdout
    none = workshop("support", cwd=tmp_path / "..")
    assert none.returncode == 1 and "No support contacts are set" in none.stdout


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("sqlite://", "in-memory database"),
        ("sqlite:///:memory:", "in-memory database"),
        ("not a url at all", "is not a database URL"),
        ("mysql://root@localhost/db", "SQLite or PostgreSQL, not 'mysql'"),
        ("postgresql://u@h:notaport/db", "is not a database URL"),
        ("postgresql+nodriver://u@h/db", "no driver for 'postgresql+nodriver'"),
        ("sqlite+pysqlcipher:///x.db", "no driver for 'sqlite+pysqlcipher'"),
    ],
)
def test_a_database_url_that_cannot_work_is_refused_in_one_line(tmp_path: Path, url: str, said: str) -> None:
    result = workshop("serve", "--database", url, cwd=tmp_path)
    assert result.returncode == 1
    assert said in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_relative_sqlite_path_means_the_file_beside_where_serve_runs(tmp_path: Path) -> None:
    import os

    from workshop.store import checked_database_url

    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        assert checked_database_url("sqlite:///x.sqlite3") == f"sqlite:///{tmp_path / 'x.sqlite3'}"
    finally:
        os.chdir(here)


def test_help_shows_each_options_default() -> None:
    shown = workshop("serve", "--help").stdout
    assert "(default: 8866)" in shown and "(default: 0.0.0.0)" in shown


@pytest.mark.parametrize(
    ("problem", "said"),
    [
        ("missing", "the key file"),
        ("mismatched", "does not belong to the certificate"),
        ("not a certificate", "is not a certificate in PEM form"),
    ],
)
def test_a_certificate_that_cannot_be_used_stops_serve_in_one_line(
    tmp_path: Path, problem: str, said: str
) -> None:
    from tests.test_participant_server import self_signed

    cert, key = self_signed(tmp_path)
    _, other_key = self_signed(tmp_path, "other")
    if problem == "missing":
        key = tmp_path / "no-such.key"
    elif problem == "mismatched":
        key = other_key
    else:
        cert = key
    result = workshop("serve", "--certfile", str(cert), "--keyfile", str(key), cwd=tmp_path)
    assert result.returncode == 1
    assert said in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data").exists()  # nothing was started, no database made


def test_with_a_certificate_serve_gives_phones_an_https_address(tmp_path: Path) -> None:
    from tests.conftest import start_workshop, stop_workshop
    from tests.test_participant_server import self_signed

    cert, key = self_signed(tmp_path)
    running = start_workshop(tmp_path, "--certfile", str(cert), "--keyfile", str(key))
    try:
        assert running.participant_url.startswith("https://127.0.0.1:")
        page = httpx.get(running.participant_url, verify=ssl.create_default_context(cafile=cert), timeout=30)
        assert page.status_code == 200 and "Type the code shown on the screen" in page.text
    finally:
        stop_workshop(running)
