"""The project's own promises: one source of dependencies, a lean participant server, docs that keep up."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(requirement: str) -> str:
    return re.sub(r"\[.*?\]", "", requirement).replace(" ", "").lower()


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [
        d for d in environment["dependencies"] if isinstance(d, str) and _name(d) not in {"python", "pip"}
    ]
    assert sorted(_spec(d) for d in conda) == sorted(_spec(r) for r in wanted)


def test_the_participant_server_imports_nothing_heavy() -> None:
    heavy = ("plotly", "yaml", "pandas", "segno", "ipywidgets", "ipykernel", "anywidget", "voila", "zmq")
    code = (
        "import sys; import workshop.participant_server; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


def test_every_command_is_in_the_readme() -> None:
    from workshop.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"workshop {name}" in readme, f"README does not mention `workshop {name}`"


def test_every_option_of_every_command_is_in_the_readme() -> None:
    """The README's command table must not drift from `workshop COMMAND --help`."""
    from workshop.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [
        f"workshop {name} {option}"
        for name, command in commands.items()
        for action in command._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help" and option not in readme
    ]
    assert missing == [], f"README does not mention: {missing}"
