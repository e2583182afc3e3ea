"""What `workshop validate` adds to the loader's checks: keys written twice, YAML mistakes in plain words,
an id that differs from its file's name, REVIEW marks left in a draft, and sections that cannot fit their
polls and exercises in their minutes."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.cli import main
from workshop.content import Module, load_module
from workshop.errors import ModuleError
from workshop.readiness_checks import validate_file

TINY = Path(__file__).parent / "modules" / "tiny.yaml"


def _at(text: str, snippet: str, column: int) -> str:
    """`line:column` of the line where a snippet starts in a file's text."""
    return f"{text[: text.index(snippet)].count(chr(10)) + 1}:{column}"


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (("    options: [Usually me,", "    prompt: Who raises it?\n    options: [Usually me,"),
         ("prompt: Who raises it?", 5),
         "poll 'who' has 'prompt' twice (first at line 27) — keep one 'prompt:' line and delete the other: "
         "only this second one would count"),
        (("  - id: start\n    title: Start", "  - id: start\n    title: Start\n    title: Begin"),
         ("title: Begin", 5),
         "section 'start' has 'title' twice (first at line 7) — keep one 'title:' line and delete the "
         "other: only this second one would count"),
        (("duration: 30\n", "duration: 30\nduration: 35\n"), ("duration: 35", 1),
         "the module has 'duration' twice (first at line 4) — keep one 'duration:' line and delete the "
         "other: only this second one would count"),
        (("    kind: single", "   kind: single"), ("   kind: single", 4),
         "YAML syntax error: line 26 is indented less than the field above it — indent it like line 25 "
         "(4 spaces), or, if it belongs to an outer part, like that part's fields"),
        (("    options: [Usually me,", "      options: [Usually me,"), ("      options:", 7),
         "YAML syntax error: line 28 is indented more than the field above it — indent it like line 27 "
         "(4 spaces)"),
        (("prompt: Who usually raises", "prompt: Who: usually raises"), ("prompt: Who:", 16),
         "YAML syntax error: line 27 has a second ': ' inside the value of 'prompt' — put the value in "
         'quotes, e.g. prompt: "…"'),
        (("    kind: single", "\tkind: single"), ("\tkind", 1),
         "YAML syntax error: line 26 is indented with a tab — indent with spaces only"),
        (("prompt: Who usually raises a worry first?", 'prompt: "Who usually raises a worry first?'),
         ('prompt: "Who', 13),
         "YAML syntax error: the quote opened on line 27 is never closed — end the value with the same "
         "quote mark on that line"),
        (("title: A tiny test module", "title: [unclosed"), ("title: [", 8),
         "YAML syntax error: the '[' opened on line 3 is not closed — end it with ']' on that line, and put "
         "any item holding ', ' or ': ' in quotes"),
        (("    title: Start", "    title Start"), ("    title Start", 5),
         "YAML syntax error: line 7 has no ':' after its field name — write it as 'name: value'"),
        (("prompt: Who usually raises a worry first?", "prompt: 'Who's first?'"), ("prompt: 'Who'", 18),
         "YAML syntax error: line 27 has more text after a closing quote — put the whole value in quotes "
         "(inside '…', write an apostrophe as '')"),
        (("    notes: Say hello.", "    notes: |\n      Say hello.\n     Then sit."), ("     Then sit.", 6),
         "YAML syntax error: line 12 is indented less than the line above it — indent it like line 11 "
         "(6 spaces), or, if it belongs to an outer part, like that part's fields"),
    ],
)  # fmt: skip
def test_each_new_kind_of_mistake_names_its_exact_line_and_column(
    tmp_path: Path, tiny: Module, change: tuple[str, str], where: tuple[str, int], message: str
) -> None:
    text = TINY.read_text()
    assert change[0] in text
    broken_text = text.replace(change[0], change[1], 1)
    broken = tmp_path / "tiny.yaml"
    broken.write_text(broken_text)
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    assert f"{broken}:{_at(broken_text, where[0], where[1])}: {message}" in str(raised.value).splitlines()


def test_an_id_that_differs_from_the_file_name_is_an_error_of_validate_only(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(TINY.read_text())
    assert load_module(other).id == "tiny"  # a module still loads: the commands may run it
    assert [str(p) for p in validate_file(other)] == [
        f"{other}:2:1: the module's id 'tiny' differs from its file name 'other.yaml' — rename the file to "
        "tiny.yaml, or change the id to 'other': the commands find a module by its file name"
    ]
    assert main(["validate", str(other)]) == 1


REVIEWED = "\n".join(
    [
        "# REVIEW: a title drafted from the article",
        "title: A tiny test module  # REVIEW: a title for participants",
    ]
)


def test_review_marks_are_errors_unless_validating_a_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        TINY.read_text()
        .replace("title: A tiny test module", REVIEWED)
        .replace("text: Goodbye.", "text: 'REVIEW: write 2–3 warm sentences.'")
    )
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    hint = " (while it is still a draft, run workshop validate --draft)"
    expected = [
        f"{path}:3:1: a '# REVIEW' comment is still here — review the part it stands above, rewrite the "
        "article's words in your own, then delete the comment",
        f"{path}:4:28: a '# REVIEW' comment is still on this line — check this line, then delete the comment",
        f"{path}:16:12: this text still says REVIEW — write your own words in its place",
    ]
    assert [str(p) for p in validate_file(path)] == [line + hint for line in expected]
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [line + hint for line in expected]
    assert main(["validate", "--draft", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [line.replace(": ", ": warning: ", 1) for line in expected] + [
        f"{path}: ok, with 3 warnings"
    ]
    assert load_module(path).title == "A tiny test module"  # a draft loads, so it can be listed and tried


def test_a_section_whose_polls_and_exercises_cannot_fit_its_minutes_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = TINY.read_text().replace(
        "notes: Compare before and after.",
        "notes: |\n      Compare before and after.\n\n"
        "      Couple exercise: talk it over for five minutes.\n\n      Private exercise: note one word.",
    )
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    where = _at(text, "    minutes: 10\n    text: Looking back.", 5)
    message = (
        f"{path}:{where}: warning: section 'later' has 1 "
        "choice or scale poll (1.5 min), 1 open-text poll (3 min) and 2 exercises (9 min): at least 13.5 "
        "minutes, but minutes: 10 — give it more minutes (and the duration with them), or move a poll or "
        "an exercise to another section"
    )
    assert [str(p) for p in validate_file(path)] == [message]
    assert main(["validate", str(path)]) == 0  # a warning leaves the exit status at 0
    assert capsys.readouterr().out.splitlines() == [message, f"{path}: ok, with 1 warning"]


def test_the_timing_rule_counts_stated_minutes_and_fits_the_tiny_module(tmp_path: Path) -> None:
    from workshop.readiness_checks import _exercise_minutes

    assert _exercise_minutes("Couple exercise: a 6-minute round.\n\nExercise: for about three minutes.") == [
        6.0,
        3.0,
    ]
    assert _exercise_minutes("Talk it over.\n\nEjercicio: 2 minutos cada uno.") == [2.0]
    assert _exercise_minutes("Couple exercise: swap roles.") == [4.0]
    assert validate_file(TINY) == []
