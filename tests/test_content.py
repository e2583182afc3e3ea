"""Modules as the kit reads them: the built-in one, snapshots, and the checks a trainer relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.content import Module, find_module, load_module
from workshop.errors import ModuleError


def test_the_built_in_module_loads_with_every_poll_kind() -> None:
    module = find_module("pursuer-avoider")
    assert {poll.kind for poll in module.polls} >= {"single", "multiple", "scale", "text"}
    assert any(poll.before for poll in module.polls)
    assert sum(section.minutes for section in module.sections) == module.duration
    assert all(section.notes.strip() for section in module.sections)


def test_the_tiny_module_loads_with_text_before_and_reveal(tiny: Module) -> None:
    assert tiny.poll("how-again").before == "how"
    assert tiny.poll("how-again").kind_name == "before/after scale"
    assert tiny.poll("words").kind == "text"
    assert tiny.poll("words").max_length == 80
    assert tiny.poll("how").reveal == "live"
    assert tiny.poll("who").reveal == "after-close"
    assert not tiny.shuffle_options
    assert tiny.safety_words == ()


def test_module_settings_are_read(tmp_path: Path, tiny: Module) -> None:
    text = Path(tiny.origin).read_text()
    edited = tmp_path / "tiny.yaml"
    edited.write_text(
        text.replace(
            "duration: 30\n", "duration: 30\nshuffle_options: true\nsafety_words: [scared, ' walk out ']\n"
        )
    )
    module = load_module(edited)
    assert module.shuffle_options
    assert module.safety_words == ("scared", "walk out")


def test_a_snapshot_round_trips_with_the_same_hash(tiny: Module) -> None:
    again = Module.from_dict(tiny.to_dict())
    assert again == tiny
    assert again.content_hash == tiny.content_hash


def test_editing_a_module_changes_its_hash(tmp_path: Path, tiny: Module) -> None:
    edited = tmp_path / "tiny.yaml"
    edited.write_text(Path(tiny.origin).read_text().replace("Say hello.", "Say hi."))
    assert load_module(edited).content_hash != tiny.content_hash


# The polls of tiny.yaml's sections 'end' and 'later': format with each one's list.
LAST_TWO_SECTIONS = """    polls: [{}]
  - id: later
    title: Later
    minutes: 10
    text: Looking back.
    notes: Compare before and after.
    polls: [{}]"""


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
        (("max_length: 80", "max_length: 80\n    reveal: live"), "open text, which cannot be live"),
        (("    reveal: live\n    prompt: And now", "    prompt: And now"), "different 'reveal' policies"),
        (("min_label: Not safe", "min_label: No"), "'min_label' False is not text — put it in quotes"),
        (("  - id: which", "  - id: " + "w" * 61), "at most 60"),
        (("    min: 1\n    max: 5", "    min: -10"), "has 16 points — use at most 11"),
        (("polls: [who, which]", "polls:"), "poll 'who' is not used"),
        (("options: [Usually me,", "options: [Yes, No, Usually me,"), "is not text — put it in quotes"),
        (("title: A tiny test module", "title: [unclosed"), "YAML syntax error"),
        (("kind: single", "kind: essay"), "unknown kind 'essay' — use single, multiple, scale or text"),
        (
            ("reveal: live", "reveal: after-clos"),
            "unknown reveal policy 'after-clos' — did you mean 'after-close'?",
        ),
        (("reveal: live", "reveal: later"), "use live, after-close or never"),
        (
            ("max_picks: 2", "max_picks: 2\n    max_length: 80"),
            "'max_length' belongs to text polls — remove it here",
        ),
        (
            ("max_length: 80", "max_length: 5000"),
            "'max_length' must be a whole number from 1 to 1000, not 5000",
        ),
        (("max_length: 80", "max_length: 0"), "'max_length' must be a whole number from 1 to 1000, not 0"),
        (
            ("max_length: 80", "max_length: 80\n    options: [A, B]"),
            "'options' belongs to choice polls — remove it",
        ),
        (("max_length: 80", "max_length: 80\n    min: 1"), "'min' belongs to scale polls — remove it here"),
        (
            ("max_picks: 2", "max_picks: 2\n    before: who"),
            "'before' belongs to scale polls — remove it here",
        ),
        (
            ("before: how", "before: hwo"),
            "'before' names poll 'hwo' that does not exist — did you mean 'how'?",
        ),
        (
            ("before: how", "before: who"),
            "'before' names poll 'who', which is not a scale poll — name a scale",
        ),
        (("before: how", "before: how-again"), "poll 'how-again' names itself as 'before'"),
        (
            (
                "    max: 5\n    min_label: Not safe\n    max_label: Very safe\n    reveal",
                "    max: 7\n    min_label: Not safe\n    max_label: Very safe\n    reveal",
            ),
            "runs 1..5 but its before poll 'how' runs 1..7 — give both the same min and max",
        ),
        (
            (
                LAST_TWO_SECTIONS.format("how", "words, how-again"),
                LAST_TWO_SECTIONS.format("words, how-again", "how"),
            ),
            "which does not come after section 'later' where its before poll 'how' is asked",
        ),
        (
            (
                "    max_picks: 2\n",
                "    max_picks: 2\n"
                "  - id: how-once-more\n    kind: scale\n    before: how\n    prompt: Once more?\n",
            ),
            "poll 'how' is already asked again by poll 'how-once-more'",
        ),
        (
            (
                "    max_picks: 2\n",
                "    max_picks: 2\n"
                "  - id: how-third\n    kind: scale\n    before: how-again\n    prompt: And once more?\n",
            ),
            "names poll 'how-again', which itself asks 'how' again — a before/after pair is two polls",
        ),
        (
            ("duration: 30\n", "duration: 30\nshuffle_options: sometimes\n"),
            "'shuffle_options' must be true or false, not 'sometimes' — write true or false",
        ),
        (
            ("duration: 30\n", "duration: 30\nsafety_words: [scared, 42]\n"),
            "safety word 42 is not text — put it in quotes",
        ),
        (("duration: 30\n", "duration: 30\nsafety_words: [scared, '  ']\n"), "a safety word is empty"),
        (("duration: 30\n", "duration: 30\nsafety_words: scared\n"), "'safety_words' must be a list"),
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


def test_a_before_problem_points_at_the_before_line(tmp_path: Path, tiny: Module) -> None:
    text = Path(tiny.origin).read_text().replace("before: how", "before: who")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    line = text.splitlines().index("    before: who") + 1
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    assert str(raised.value).startswith(f"{broken}:{line}:5: poll 'how-again' 'before' names poll 'who'")
