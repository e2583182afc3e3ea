"""The kit installs like a package: a built wheel, installed outside the checkout, serves a workshop.

The wheel goes into a fresh venv with `--no-deps`; its dependencies come from the environment running
the tests (a path file for their code, links for their Jupyter data), because installing JupyterLab and
Voila from the index takes a minute. What is tested is the wheel itself: its notebooks, template and
entry point, run from a folder that is not the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import _free_port, workshop_environment

ROOT = Path(__file__).parent.parent
# What a checkout holds that a build must not depend on (or write into).
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "*.egg-info", "data", "__pycache__", ".*_cache", ".ipynb_checkpoints"
)


def _build_wheel(folder: Path) -> Path:
    # A copy, so the build's build/ and egg-info folders never land in the checkout.
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES, symlinks=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source), "-w", str(folder)],
        env=_outside_the_checkout(),
        check=True,
        capture_output=True,
    )
    (wheel,) = folder.glob("workshop-*.whl")
    return wheel


def _venv_with(wheel: Path, folder: Path) -> Path:
    """A fresh venv holding the wheel, its dependencies borrowed from the test environment."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Installed before the test environment is in view: pip would take its editable workshop for this one.
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        env=_outside_the_checkout(),
        check=True,
        capture_output=True,
    )
    # A bare path line: the test environment's own .pth files (our editable install) stay unread.
    (Path(purelib) / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    for data in ("share/jupyter", "etc/jupyter"):  # Voila's templates, the widget extensions, configs
        (venv / data).parent.mkdir(parents=True, exist_ok=True)
        (venv / data).symlink_to(Path(sys.prefix) / data)
    return venv


def _outside_the_checkout() -> dict[str, str]:
    """The environment without WORKSHOP_* settings or a PYTHONPATH that would import the checkout."""
    environment = workshop_environment()
    for name in ("PYTHONPATH", "WORKSHOP_DATABASE_URL"):
        environment.pop(name, None)
    return environment


def _answers(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, reply.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError):
        return 0, ""  # not listening yet


def _python(venv: Path, code: str, cwd: Path, env: dict[str, str]) -> str:
    """What the venv's Python prints running `code` in `cwd`."""
    python = venv / "bin" / "python"
    run = subprocess.run([python, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


_FLAGS_FROM_THE_WHEEL = """
from workshop.safety import PHRASES, flags
from workshop.safety_model import model
print(*flags("she threatened to take the kids"))
print(*flags("the last time i said no to him in bed he didnt speak to me for a week and then did it anyway"))
print(model(PHRASES / "en") is not None, model(PHRASES / "es") is not None)
"""


def test_an_installed_wheel_serves_a_workshop_from_any_folder(tmp_path: Path) -> None:
    venv = _venv_with(_build_wheel(tmp_path), tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _outside_the_checkout()

    where = _python(venv, "import workshop; print(workshop.__file__)", elsewhere, env).strip()
    assert where.startswith(str(venv)), f"the venv imports workshop from {where}, not from the wheel"
    # The disclosure detector's data came with it: phrases and the second reader's weights.
    flagged = _python(venv, _FLAGS_FROM_THE_WHEEL, elsewhere, env).split()
    assert flagged == ["threats", "sexual-coercion", "True", "True"], flagged

    log_path = tmp_path / "serve.log"
    command = [
        venv / "bin" / "workshop", "serve",
        "--host", "127.0.0.1",
        "--participant-port", str(_free_port()),
        "--facilitator-port", str(_free_port()),
        "--database", "sqlite:///workshop.sqlite3",  # relative: the folder serve runs from
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        text = ""
        while "Participants join at:" not in text:
            assert process.poll() is None and time.monotonic() < deadline, f"serve did not start:\n{text}"
            time.sleep(0.2)
            text = log_path.read_text(errors="replace")
        addresses = {
            page: re.search(rf"{label}\s+(\S+)", text)
            for page, label in (
                ("console", r"console \(this laptop only\):"),
                ("screen", r"screen \(this laptop only\):"),
                ("participant", r"Participants join at:"),
            )
        }
        for page, found in addresses.items():
            assert found, f"serve printed no {page} address:\n{text}"
            status, body = _answers(found[1])
            while status != 200 and time.monotonic() < deadline:
                time.sleep(0.3)
                status, body = _answers(found[1])
            assert status == 200, f"the {page} page at {found[1]} gave {status}:\n{log_path.read_text()}"
            if page != "participant":  # the notebook ran in a kernel and showed its widgets
                assert "application/vnd.jupyter.widget-view+json" in body, f"no widgets on the {page} page"
        assert (elsewhere / "workshop.sqlite3").exists(), "the relative database is not where serve ran"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, log_path.read_text()
    installed = Path(where).parent
    assert not list(installed.rglob("*.sqlite3")), "a kernel opened a database of its own in the package"


def test_the_notebooks_folder_links_to_the_packaged_notebooks() -> None:
    """The wheel carries workshop/notebooks; notebooks/ (for Jupyter and nbval) must show the same files."""
    packaged = sorted(p.name for p in (ROOT / "workshop" / "notebooks").glob("*.ipynb"))
    linked = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert packaged == linked == ["facilitator.ipynb", "screen.ipynb"]
    for name in linked:
        assert os.path.samefile(ROOT / "notebooks" / name, ROOT / "workshop" / "notebooks" / name)
