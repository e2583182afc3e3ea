"""What `workshop validate` checks beyond what a module needs to load: whether it is ready for a room.

- A draft's REVIEW marks (from `workshop import-article`) left in the file: an error, or a warning with
  `--draft` while the trainer is still working on it.
- An `id` that differs from the file's name: the commands find a module by its file name.
- A section whose polls and exercises plainly cannot fit its minutes: a warning (see TIMING).

These are not checked when a module is loaded (`load_module`), so a draft can be listed, served and
printed while it is written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workshop.content import ID_PATTERN
from workshop.module_checks import Problem, check_module_data, read_module_file
from workshop.prose import EXERCISE, blocks
from workshop.yaml_checks import Located, text_of_scalars

REVIEW = re.compile(r"\bREVIEW\b")
DRAFT_HINT = " (while it is still a draft, run workshop validate --draft)"
# The minutes each part of a section takes in a room, at the least: a choice or scale poll (reading,
# answering, a look at the chart), an open-text poll (typing, then moderating the answers), and an
# exercise whose notes do not say how long it takes.
TIMING = {"single": 1.5, "multiple": 1.5, "scale": 1.5, "text": 3.0}
EXERCISE_MINUTES = 4.0
NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        (
            *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
            *("eleven", "twelve", "thirteen", "fourteen", "fifteen"),
        ),
        start=1,
    )
} | {"twenty": 20, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "diez": 10}
STATED_MINUTES = re.compile(
    r"\b(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")[\s-]+(?:minutes?|mins?|minutos?)\b", re.IGNORECASE
)


def validate_file(path: Path, *, draft: bool = False) -> list[Problem]:
    """Every problem `workshop validate` reports for a module file, errors first, then warnings.

    Raises ModuleError when the file cannot be read or is not valid YAML.
    """
    text, data = read_module_file(path)
    problems = check_module_data(data, path)
    if isinstance(data, Located):
        problems += _check_file_name(data, path)
        problems += _check_timing(data, path)
    problems += review_marks(text, path, draft=draft)
    return [p for p in problems if not p.warning] + [p for p in problems if p.warning]


def _check_file_name(data: Located, path: Path) -> list[Problem]:
    module_id = data.get("id")
    # An id that is no id at all is reported by the loader's checks, which say what an id may be.
    if not isinstance(module_id, str) or module_id == path.stem or not ID_PATTERN.match(module_id):
        return []
    line, column = data.key_where["id"]
    return [
        Problem(
            str(path),
            line,
            column,
            f"the module's id '{module_id}' differs from its file name '{path.name}' — rename the file to "
            f"{module_id}{path.suffix}, or change the id to '{path.stem}': the commands find a module by "
            "its file name",
        )
    ]


def review_marks(text: str, path: Path, *, draft: bool = False) -> list[Problem]:
    """Each line still marked REVIEW (a '# REVIEW' comment, or a text saying 'REVIEW:'), once per line."""
    values = text_of_scalars(text)
    found: list[Problem] = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        mark = REVIEW.search(line)
        if mark:
            at = offset + mark.start()
            if any(start <= at < end for start, end in values):
                message = "this text still says REVIEW — write your own words in its place"
            elif line[: mark.start()].strip() in ("#", ""):
                message = (
                    "a '# REVIEW' comment is still here — review the part it stands above, rewrite the "
                    "article's words in your own, then delete the comment"
                )
            else:
                message = (
                    "a '# REVIEW' comment is still on this line — check this line, then delete the comment"
                )
            message += "" if draft else DRAFT_HINT
            column = (
                mark.start() + 1 if message.startswith("this text") else line.rfind("#", 0, mark.start()) + 1
            )
            found.append(Problem(str(path), number, column, message, warning=draft))
        offset += len(line)
    return found


def _exercise_minutes(notes: str) -> list[float]:
    """The minutes of each exercise paragraph in a section's notes: as the paragraph says ('for about
    three minutes', 'a 5-minute exercise'), else EXERCISE_MINUTES."""
    found: list[float] = []
    for kind, items in blocks(notes):
        if kind == "p" and EXERCISE.match(items[0]):
            stated = STATED_MINUTES.search(items[0])
            if stated:
                said = stated[1].lower()
                found.append(float(NUMBER_WORDS.get(said) or int(said)))
            else:
                found.append(EXERCISE_MINUTES)
    return found


def _amount(minutes: float) -> str:
    return f"{minutes:g}"


def _check_timing(data: Located, path: Path) -> list[Problem]:
    """Warn when a section's polls and exercises need more minutes than it has."""
    polls: dict[str, str] = {}
    listed: Any = data.get("polls")
    for poll in listed if isinstance(listed, list) else []:
        if isinstance(poll, dict) and isinstance(poll.get("id"), str) and poll.get("kind") in TIMING:
            polls.setdefault(poll["id"], poll["kind"])
    found: list[Problem] = []
    sections: Any = data.get("sections")
    for section in sections if isinstance(sections, list) else []:
        minutes = section.get("minutes") if isinstance(section, Located) else None
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
            continue
        names = section.get("polls") if isinstance(section.get("polls"), list) else []
        kinds = [polls[name] for name in names if isinstance(name, str) and name in polls]
        choice = sum(kind != "text" for kind in kinds)
        text = len(kinds) - choice
        notes = section.get("notes")
        exercises = _exercise_minutes(notes) if isinstance(notes, str) else []
        needed = choice * TIMING["single"] + text * TIMING["text"] + sum(exercises)
        if needed <= minutes:
            continue
        parts = []
        if choice:
            parts.append(f"{choice} choice or scale poll{'s' * (choice > 1)} ({_amount(choice * 1.5)} min)")
        if text:
            parts.append(f"{text} open-text poll{'s' * (text > 1)} ({_amount(text * 3.0)} min)")
        if exercises:
            many = len(exercises) > 1
            parts.append(f"{len(exercises)} exercise{'s' * many} ({_amount(sum(exercises))} min)")
        listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
        line, column = section.key_where["minutes"]
        found.append(
            Problem(
                str(path),
                line,
                column,
                f"section '{section.get('id', '?')}' has {listed}: at least {_amount(needed)} minutes, "
                f"but minutes: {minutes} — give it more minutes (and the duration with them), or move a "
                "poll or an exercise to another section",
                warning=True,
            )
        )
    return found
