"""Modules as the kit reads them: the built-in one, snapshots, and the checks a trainer relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.content import Module, find_module, load_module
from workshop.errors import ModuleError


def test_the_built_in_module_loads_with_every_poll_kind() -> None:
    module = find_module("pursuer-avoider")
    assert {poll.kind for poll in module.polls} >= {"single", "multiple", "scale"}
    assert sum(section.minutes for section in module.sections) == module.duration
    assert all(section.notes.strip() for section in module.sections)


def test_a_snapshot_round_trips_with_the_same_hash(tiny: Module) -> None:
    again = Module.from_dict(tiny.to_dict())
    assert again == tiny
    assert again.content_hash == tiny.content_hash


def test_editing_a_module_changes_its_hash(tmp_path: Path, tiny: Module) -> None:
    edited = tmp_path / "tiny.yaml"
    edited.write_text(Path(tiny.origin).read_text().replace("Say hello.", "Say hi."))
    assert load_module(edited).content_hash != tiny.content_hash


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("options: [Usually me, Usually my partner, About equally]", "options: [Only one]"), "at least two"),
        (("    min: 1\n    max: 5", "    min: 5\n    max: 1"), "empty or inverted range 5..1"),
        (("polls: [how]", "polls: [howw]"), "names poll 'howw' that does not exist — did you mean 'how'?"),
        (("notes: Say goodbye.", "notes: ''"), "'notes' is empty"),
        (("  - id: which", "  - id: who"), "duplicate poll id 'who'"),
        (("title: Start\n", "title: Start\n    extra: 1\n"), "unknown field 'extra'"),
        (("kind: single", "kind: singel"), "did you mean 'single'?"),
        (("options: [Usually me,", "options: [Yes, No, Usually me,"), "is not text — put it in quotes"),
        (("title: A tiny test module", "title: [unclosed"), "YAML syntax error"),
    ],
)
def test_each_mistake_is_reported_with_what_to_do(
    tmp_path: Path, tiny: Module, change: tuple[str, str], message: str
) -> None:
    text = Path(tiny.origin).read_text()
    assert change[0] in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    assert message in str(raised.value)
    assert str(raised.value).startswith(f"{broken}:")
