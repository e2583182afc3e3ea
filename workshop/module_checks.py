"""Checks of a module file, each problem reported as `file:line:column: what is wrong — what to do`.

YAML is read with a loader that remembers where every key and item stands, so a trainer is pointed at
the exact line to change. Nothing here raises on the first problem: all of them are listed at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop.content import ID_PATTERN as ID_PATTERN_RE
from workshop.content import POLL_KINDS, REVEAL_POLICIES
from workshop.errors import ModuleError
from workshop.safety import check_module_word
from workshop.text_files import read_text_file
from workshop.yaml_checks import Located as _Located
from workshop.yaml_checks import LocatedList as _LocatedList
from workshop.yaml_checks import read_yaml

MODULE_FIELDS = {
    "id": True,
    "title": True,
    "duration": True,
    "sections": True,
    "polls": True,
    "language": False,
    "summary": False,
    "source": False,
    "short_path": False,
    "short_duration": False,
    "shuffle_options": False,
    "safety_words": False,
    "safety": False,
}
SECTION_FIELDS = {
    "id": True,
    "title": True,
    "minutes": True,
    "text": True,
    "notes": True,
    "polls": False,
    "safety": False,
}
SOURCE_FIELDS = {"title": True, "publisher": True, "url": False}
POLL_FIELDS = {
    "id": True,
    "kind": True,
    "prompt": True,
    "options": False,
    "max_picks": False,
    "min": False,
    "max": False,
    "min_label": False,
    "max_label": False,
    "max_length": False,
    "before": False,
    "reveal": False,
    "private": False,
}
# The fields only some kinds of poll take, by the group of kinds that takes them.
POLL_GROUPS = {"choice": ("single", "multiple"), "scale": ("scale",), "text": ("text",)}
KIND_FIELDS = {
    "options": "choice",
    "max_picks": "choice",
    "min": "scale",
    "max": "scale",
    "min_label": "scale",
    "max_label": "scale",
    "before": "scale",
    "max_length": "text",
}
# The largest module file read: over 20 times the largest built-in module (43 KB), and small enough to
# parse in a second or two. A larger file is refused before it is read (docs/authoring.md says so).
MODULE_SIZE_LIMIT = 1_000_000
# A message quotes at most this much of a value; a file's problems are listed up to PROBLEMS_LISTED.
SHOWN_CHARS, PROBLEMS_LISTED = 60, 50
# The longest open-text answer a module may allow (the default is content.DEFAULT_TEXT_LENGTH).
TEXT_LENGTH_LIMIT = 1000


def _either(words: tuple[str, ...]) -> str:
    """'a, b or c'."""
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else "".join(words)


def _shown(value: Any) -> str:
    """A value as a message quotes it: a file's mistake can be a line 900,000 characters long."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[: SHOWN_CHARS - 2]}…{text[-1]}"


def listed(problems: list[Problem]) -> list[str]:
    """The problems as lines, the first PROBLEMS_LISTED of them, then how many more there are."""
    lines = [str(problem) for problem in problems[:PROBLEMS_LISTED]]
    if len(problems) > PROBLEMS_LISTED:
        more = len(problems) - PROBLEMS_LISTED
        lines.append(f"{problems[0].path}: … and {more} more problems — fix these first, then check again")
    return lines


def _where(items: list[Any], index: int) -> tuple[int, int]:
    """Line and column of a list item (1, 1 when the list did not come from the file)."""
    return items.item_where[index] if isinstance(items, _LocatedList) else (1, 1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a module file."""

    path: str
    line: int
    column: int
    message: str
    # A warning is worth a look but does not stop the module running (`workshop validate` exits 0).
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}:{self.column}: {kind}{self.message}"


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.problems: list[Problem] = []

    def add(self, where: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(self.path, where[0], where[1], message))

    def repeated(self, mapping: _Located, what: str) -> None:
        """A field written twice in one mapping: YAML would silently keep the second."""
        for key, first, second in getattr(mapping, "repeated", ()):
            self.add(
                second,
                f"{what} has '{key}' twice (first at line {first[0]}) — keep one '{key}:' line and delete "
                "the other: only this second one would count",
            )

    def fields(self, mapping: Any, spec: dict[str, bool], what: str, where: tuple[int, int]) -> bool:
        """Check a mapping's keys against its spec; False when it is not a mapping at all."""
        if not isinstance(mapping, _Located):
            self.add(where, f"{what} must be a mapping of fields — write it as 'field: value' lines")
            return False
        self.repeated(mapping, what)
        for key in mapping:
            if key not in spec:
                close = difflib.get_close_matches(key, list(spec), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(spec)}"
                self.add(mapping.key_where[key], f"unknown field {_shown(key)} in {what} — {hint}")
        for key, required in spec.items():
            if required and key not in mapping:
                self.add(mapping.where, f"{what} is missing '{key}' — add a '{key}:' line")
        return True

    def text(self, mapping: _Located, key: str, what: str) -> None:
        value = mapping.get(key)
        if key in mapping and (not isinstance(value, str) or not value.strip()):
            self.add(mapping.key_where[key], f"{what} '{key}' is empty — write some text")

    def prose(self, mapping: _Located, key: str, what: str) -> None:
        """A field of prose such as 'safety': text in paragraphs and '- ' bullets, never empty."""
        if key not in mapping:
            return
        value = mapping[key]
        if not isinstance(value, str):
            found = (
                "a list"
                if isinstance(value, list)
                else "a mapping"
                if isinstance(value, dict)
                else repr(value)
            )
            self.add(
                mapping.key_where[key],
                f"{what} '{key}' must be text, not {found} — write it on the lines after '{key}: |', "
                "in paragraphs, with '- ' at the start of a bullet",
            )
        elif not value.strip():
            self.add(mapping.key_where[key], f"{what} '{key}' is empty — write some text, or remove the line")

    def whole_number(
        self, mapping: _Located, key: str, what: str, minimum: int, maximum: int | None = None
    ) -> int | None:
        value = mapping.get(key)
        if key not in mapping:
            return None
        too_big = maximum is not None and isinstance(value, int) and value > maximum
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or too_big:
            allowed = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
            self.add(
                mapping.key_where[key],
                f"{what} '{key}' must be a whole number {allowed}, not {_shown(value)}",
            )
            return None
        return value

    def one_of(self, mapping: _Located, key: str, allowed: tuple[str, ...], problem: str) -> None:
        """Report `problem` (e.g. "poll 'x' has unknown kind") when the value is not one allowed."""
        value = mapping.get(key)
        if key in mapping and value not in allowed:
            close = difflib.get_close_matches(str(value), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use {_either(allowed)}"
            self.add(mapping.key_where[key], f"{problem} {_shown(value)} — {hint}")

    def identifier(self, mapping: _Located, what: str, seen: dict[str, tuple[int, int]]) -> str:
        value = mapping.get("id")
        if "id" not in mapping:
            return ""
        where = mapping.key_where["id"]
        if not isinstance(value, str) or not ID_PATTERN_RE.match(value):
            self.add(
                where, f"{what} id {_shown(value)} — use lowercase letters, digits and hyphens (at most 60)"
            )
            return ""
        if value in seen:
            self.add(
                where,
                f"duplicate {what} id '{value}' (first at line {seen[value][0]}) — rename one",
            )
        seen[value] = where
        return value


def _check_choice(check: _Checker, poll: _Located, what: str) -> None:
    """A single or multiple choice poll: two or more different options, and picks they allow."""
    options = poll.get("options")
    where = poll.key_where.get("options", poll.where)
    if not isinstance(options, list) or len(options) < 2:
        check.add(where, f"{what} needs at least two options — list them under 'options:'")
        return
    for position, option in enumerate(options):
        if not isinstance(option, str):
            check.add(
                _where(options, position), f"{what} option {_shown(option)} is not text — put it in quotes"
            )
    texts = [str(o).strip() for o in options]
    if any(not t for t in texts):
        check.add(where, f"{what} has an empty option — give every option some words")
    if len(set(texts)) != len(texts):
        check.add(where, f"{what} lists the same option twice — make each option different")
    max_picks = check.whole_number(poll, "max_picks", what, 1)
    if max_picks is not None and max_picks > len(texts):
        check.add(
            poll.key_where["max_picks"],
            f"{what} allows {max_picks} picks but has {len(texts)} options — lower max_picks",
        )


def _scale_range(poll: _Located) -> tuple[Any, Any]:
    """A scale's min and max as written, or their defaults."""
    return poll.get("min", 1), poll.get("max", 5)


def _check_scale(check: _Checker, poll: _Located, what: str) -> None:
    """A scale poll: a range of whole numbers, of two to eleven points."""
    low, high = _scale_range(poll)
    bad = [k for k in ("min", "max") if isinstance(poll.get(k, 0), bool)]
    if bad or not isinstance(low, int) or not isinstance(high, int):
        check.add(poll.where, f"{what} needs whole numbers for min and max, e.g. min: 1, max: 5")
    elif high <= low:
        check.add(
            poll.key_where.get("max", poll.where),
            f"{what} has an empty or inverted range {low}..{high} — max must be above min",
        )
    elif high - low > 10:
        check.add(
            poll.key_where.get("max", poll.where), f"{what} has {high - low + 1} points — use at most 11"
        )
    for key in ("min_label", "max_label"):
        if key in poll and not isinstance(poll[key], str):
            # YAML reads a bare No, Yes or On as true or false: quotes keep the words.
            check.add(
                poll.key_where[key], f"{what} '{key}' {_shown(poll[key])} is not text — put it in quotes"
            )


def _check_text(check: _Checker, poll: _Located, what: str) -> None:
    """An open text poll: the longest answer it takes, and never shown live."""
    check.whole_number(poll, "max_length", what, 1, TEXT_LENGTH_LIMIT)
    if poll.get("reveal") == "live":
        check.add(
            poll.key_where["reveal"],
            f"{what} is open text, which cannot be live: a text shown as it arrives tells who wrote it — "
            "use after-close or never",
        )


_KIND_CHECKS: dict[str, Callable[[_Checker, _Located, str], None]] = {
    "single": _check_choice,
    "multiple": _check_choice,
    "scale": _check_scale,
    "text": _check_text,
}


def _check_private(check: _Checker, poll: _Located, what: str) -> None:
    """'private: true' keeps the results on the console, so a reveal policy that would show them
    contradicts it: the trainer must see which of the two they meant, not have one silently win."""
    if "private" not in poll:
        return
    private = poll["private"]
    if not isinstance(private, bool):
        check.add(
            poll.key_where["private"],
            f"{what} 'private' must be true or false, not {_shown(private)} — write true or false",
        )
    elif private and poll.get("reveal") in ("live", "after-close"):
        check.add(
            poll.key_where["reveal"],
            f"{what} is private but says reveal: {poll['reveal']}: a private poll's results stay on the "
            "console — remove reveal",
        )


def _check_poll(check: _Checker, poll: _Located) -> None:
    what = f"poll '{poll.get('id', '?')}'"
    check.text(poll, "prompt", what)
    check.one_of(poll, "kind", POLL_KINDS, f"{what} has unknown kind")
    check.one_of(poll, "reveal", REVEAL_POLICIES, f"{what} has unknown reveal policy")
    _check_private(check, poll, what)
    kind = poll.get("kind")
    if not isinstance(kind, str) or kind not in POLL_KINDS:
        return
    for key, group in KIND_FIELDS.items():
        if key in poll and kind not in POLL_GROUPS[group]:
            check.add(poll.key_where[key], f"'{key}' belongs to {group} polls — remove it here")
    check_kind = _KIND_CHECKS.get(kind)
    if check_kind:
        check_kind(check, poll, what)


def _check_polls(check: _Checker, data: _Located) -> dict[str, _Located]:
    """Check every poll; return the polls by id (each id once, the first poll that has it)."""
    seen: dict[str, tuple[int, int]] = {}
    found: dict[str, _Located] = {}
    polls: Any = data.get("polls")
    if "polls" in data and not isinstance(polls, list):
        check.add(data.key_where["polls"], "'polls' must be a list — start each poll with '- id:'")
        polls = []
    for index, poll in enumerate(polls or []):
        name = f"poll '{poll['id']}'" if isinstance(poll, dict) and "id" in poll else f"poll {index + 1}"
        if check.fields(poll, POLL_FIELDS, name, _where(polls, index)):
            poll_id = check.identifier(poll, "poll", seen)
            _check_poll(check, poll)
            if poll_id:
                found.setdefault(poll_id, poll)
    return found


def _check_agenda(check: _Checker, data: _Located, polls: dict[str, _Located]) -> dict[str, tuple[int, str]]:
    """Check the sections, their minutes and the short path; return where each poll is used.

    Each poll used maps to its section's position in the agenda and how a message names that section.
    """
    section_ids: dict[str, tuple[int, int]] = {}
    used: dict[str, tuple[int, str]] = {}
    total = 0
    sections: Any = data.get("sections")
    if "sections" in data and (not isinstance(sections, list) or not sections):
        check.add(data.key_where["sections"], "'sections' must be a list of at least one section")
        sections = []
    for index, section in enumerate(sections or []):
        name = (
            f"section '{section['id']}'"
            if isinstance(section, dict) and "id" in section
            else f"section {index + 1}"
        )
        if not check.fields(section, SECTION_FIELDS, name, _where(sections, index)):
            continue
        section_id = check.identifier(section, "section", section_ids)
        what = f"section '{section_id or index + 1}'"
        check.text(section, "title", what)
        check.text(section, "text", what)
        check.text(section, "notes", what)
        check.prose(section, "safety", what)
        total += check.whole_number(section, "minutes", what, 1) or 0
        names = section.get("polls") or []
        if not isinstance(names, list):
            check.add(section.key_where["polls"], f"{what} 'polls' must be a list, e.g. [poll-id]")
            continue
        for position, name in enumerate(names):
            where = _where(names, position)
            if not isinstance(name, str) or name not in polls:
                close = difflib.get_close_matches(str(name), list(polls), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "add it under 'polls:' or remove it"
                check.add(where, f"{what} names poll '{name}' that does not exist — {hint}")
            elif name in used:
                check.add(where, f"poll '{name}' is already used in {used[name][1]}")
            else:
                used[name] = (index, what)
    duration = check.whole_number(data, "duration", "the module", 1)
    if duration is not None and sections and total != duration:
        check.add(
            data.key_where["duration"],
            f"the sections' minutes add up to {total}, but duration is {duration} — "
            "change a section's minutes or the duration",
        )
    return used


def _agenda_sections(data: _Located) -> dict[str, tuple[int, int | None, list[str]]]:
    """Each section with a usable id (the first that has it): its position, minutes and poll ids."""
    found: dict[str, tuple[int, int | None, list[str]]] = {}
    sections = data.get("sections")
    for index, section in enumerate(sections if isinstance(sections, list) else []):
        if not isinstance(section, _Located) or not isinstance(section.get("id"), str):
            continue
        minutes = section.get("minutes")
        usable = isinstance(minutes, int) and not isinstance(minutes, bool) and minutes >= 1
        names = section.get("polls")
        poll_ids = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
        found.setdefault(section["id"], (index, minutes if usable else None, poll_ids))
    return found


def _check_short_path(check: _Checker, data: _Located, polls: dict[str, _Located]) -> None:
    """The shorter path through the agenda: sections in agenda order, each once, filling short_duration.

    A scale asked again on the short path needs its before poll on the short path too, or the pair
    would be charted with no first round.
    """
    short_duration = check.whole_number(data, "short_duration", "the module", 1)
    short = data.get("short_path")
    if short is None:
        if "short_duration" in data:
            check.add(
                data.key_where["short_duration"],
                "'short_duration' is given but there is no 'short_path' — list the short path's "
                "section ids under 'short_path:', or remove short_duration",
            )
        return
    if not isinstance(short, list) or not short:
        check.add(
            data.key_where["short_path"],
            "'short_path' must be a list of one or more section ids, e.g. [opening, next-steps]",
        )
        return
    sections = _agenda_sections(data)
    seen: dict[str, tuple[int, int]] = {}
    total, complete = 0, True
    latest = ("", -1)  # the section furthest into the agenda so far, and its position
    for position, name in enumerate(short):
        where = _where(short, position)
        if not isinstance(name, str) or name not in sections:
            close = difflib.get_close_matches(str(name), list(sections), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use a section id"
            check.add(where, f"short_path names section '{name}' that does not exist — {hint}")
            complete = False
            continue
        if name in seen:
            check.add(
                where,
                f"short_path names section '{name}' more than once — keep it once",
            )
            continue
        seen[name] = where
        index, minutes, _ = sections[name]
        if index < latest[1]:
            check.add(
                where,
                f"short_path puts section '{name}' after section '{latest[0]}', but the agenda runs the "
                "other way — list the short path's sections in the agenda's order",
            )
        else:
            latest = (name, index)
        if minutes is None:
            complete = False  # its minutes are reported with the section
        else:
            total += minutes
    if "short_duration" not in data:
        hint = "add a 'short_duration:' line with the short path's length in minutes"
        if complete:
            hint = f"add 'short_duration: {total}' (its sections' minutes add up to {total})"
        check.add(data.key_where["short_path"], f"short_path has no 'short_duration' — {hint}")
    elif short_duration is not None and complete and total != short_duration:
        check.add(
            data.key_where["short_duration"],
            f"the short path's sections' minutes add up to {total}, but short_duration is "
            f"{short_duration} — set short_duration to {total}, or change the sections on short_path "
            "or their minutes",
        )
    section_of = {poll_id: name for name, (_, _, ids) in sections.items() for poll_id in ids}
    for poll_id, poll in polls.items():
        first_id = poll.get("before")
        if poll.get("kind") != "scale" or not isinstance(first_id, str) or first_id not in polls:
            continue  # a missing or misplaced before poll is reported on the poll itself
        now, then = section_of.get(poll_id), section_of.get(first_id)
        if now in seen and then is not None and then not in seen:
            check.add(
                seen[now],
                f"short_path includes section '{now}', where poll '{poll_id}' asks '{first_id}' again, "
                f"but not section '{then}', where '{first_id}' is first asked — add '{then}' to "
                "short_path so the before/after pair works on the short path too",
            )


def _check_before(check: _Checker, polls: dict[str, _Located], used: dict[str, tuple[int, str]]) -> None:
    """Check each scale poll that asks an earlier one again (`before:`), so the two chart side by side."""
    asked_again_by: dict[str, str] = {}
    for poll_id, poll in polls.items():
        if "before" not in poll or poll.get("kind") != "scale":
            continue  # on another kind of poll, 'before' is already reported as out of place
        what = f"poll '{poll_id}'"
        where = poll.key_where["before"]
        first_id = poll["before"]
        first = polls.get(first_id) if isinstance(first_id, str) else None
        if first_id == poll_id:
            check.add(where, f"{what} names itself as 'before' — name the earlier scale poll it asks again")
            continue
        if first is None:
            scales = [p for p, q in polls.items() if q.get("kind") == "scale" and p != poll_id]
            close = difflib.get_close_matches(str(first_id), scales, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use the id of an earlier scale poll"
            check.add(where, f"{what} 'before' names poll '{first_id}' that does not exist — {hint}")
            continue
        if first.get("kind") != "scale":
            check.add(
                where,
                f"{what} 'before' names poll '{first_id}', which is not a scale poll — "
                "name a scale poll: only a scale is asked again and charted before and after",
            )
            continue
        if "before" in first:
            check.add(
                where,
                f"{what} 'before' names poll '{first_id}', which itself asks '{first['before']}' again — "
                "a before/after pair is two polls: name a poll that has no 'before:'",
            )
        if first_id in asked_again_by:
            check.add(
                where,
                f"poll '{first_id}' is already asked again by poll '{asked_again_by[first_id]}' — "
                "ask each scale poll again only once",
            )
        asked_again_by.setdefault(first_id, poll_id)
        private_now, private_then = poll.get("private") is True, first.get("private") is True
        if private_now != private_then:
            # Charted together, the public round would carry the private round's answers to the room.
            private_one, other = (poll_id, first_id) if private_now else (first_id, poll_id)
            check.add(
                where,
                f"poll '{private_one}' is private but '{other}', the other round of its before/after pair, "
                f"is not — add 'private: true' to '{other}' too, or take it off '{private_one}'",
            )
        elif not private_now and poll.get("reveal", "after-close") != first.get("reveal", "after-close"):
            # The pair is charted together, so it is shown by the stricter of the two policies anyway.
            check.add(
                where,
                f"{what} and its before poll '{first_id}' have different 'reveal' policies — "
                "give both the same, since they are shown together",
            )
        now, then = _scale_range(poll), _scale_range(first)
        if now != then and all(isinstance(n, int) for n in (*now, *then)):
            check.add(
                where,
                f"{what} runs {now[0]}..{now[1]} but its before poll '{first_id}' runs "
                f"{then[0]}..{then[1]} — give both the same min and max",
            )
        if poll_id in used and first_id in used and used[first_id][0] >= used[poll_id][0]:
            check.add(
                where,
                f"{what} is asked in {used[poll_id][1]}, which does not come after {used[first_id][1]} "
                f"where its before poll '{first_id}' is asked — move one so that '{first_id}' comes first",
            )


def _check_settings(check: _Checker, data: _Located) -> None:
    """The module-wide settings: option order and the extra safety words."""
    if "shuffle_options" in data and not isinstance(data["shuffle_options"], bool):
        check.add(
            data.key_where["shuffle_options"],
            f"'shuffle_options' must be true or false, not {_shown(data['shuffle_options'])} — write true "
            "or false",
        )
    if "safety_words" not in data:
        return
    words = data["safety_words"]
    if not isinstance(words, list):
        check.add(
            data.key_where["safety_words"],
            "'safety_words' must be a list of words or short phrases — write them as [word, short phrase]",
        )
        return
    for position, word in enumerate(words):
        if not isinstance(word, str):
            check.add(_where(words, position), f"safety word {_shown(word)} is not text — put it in quotes")
        elif not word.strip():
            check.add(_where(words, position), "a safety word is empty — write a word or remove the item")
        elif problem := _safety_word_problem(word, data.get("language", "en")):
            check.add(_where(words, position), f"safety word {_shown(word)}: {problem}")


def _safety_word_problem(word: str, language: object) -> str:
    try:
        check_module_word(word, str(language).split("-")[0] if isinstance(language, str) else "en")
    except ValueError as error:
        return f"{error} — use one of them or write the words out"
    return ""


def check_module_data(data: Any, path: Path) -> list[Problem]:
    """Every problem in a module's parsed data (as read by this module's loader)."""
    check = _Checker(path)
    if not check.fields(data, MODULE_FIELDS, "the module", (1, 1)):
        return check.problems
    check.identifier(data, "module", {})  # sessions store it, and the commands find a module by it
    for key in ("title", "summary"):
        check.text(data, key, "the module")
    check.prose(data, "safety", "the module")
    if "source" in data and check.fields(data["source"], SOURCE_FIELDS, "source", data.key_where["source"]):
        check.text(data["source"], "title", "source")
        check.text(data["source"], "publisher", "source")
    language = data.get("language", "en")
    if not isinstance(language, str) or not re.match(r"^[a-z]{2,3}(-[A-Z]{2})?$", language):
        check.add(
            data.key_where.get("language", (1, 1)),
            f"language {_shown(language)} is not a language code — write e.g. en, es or pt-BR",
        )
    _check_settings(check, data)
    polls = _check_polls(check, data)
    used = _check_agenda(check, data, polls)
    _check_before(check, polls, used)
    _check_short_path(check, data, polls)
    if isinstance(data.get("sections"), list):
        for poll_id, poll in polls.items():
            if poll_id not in used:  # the console offers a poll only within its section
                check.add(
                    poll.key_where.get("id", poll.where),
                    f"poll '{poll_id}' is not used in any section — "
                    "add it to a section's 'polls:' or remove it",
                )
    return check.problems


def read_module_file(path: Path) -> tuple[str, Any]:
    """A module file's text and its data as read with locations; ModuleError when it cannot be read or is
    not valid YAML."""
    text = read_module_text(path)
    return text, read_yaml(text, str(path))


def read_module_text(path: Path) -> str:
    """A module file's text, refused before parsing when it is too large, binary or not UTF-8."""
    return read_text_file(path, what="module", limit=MODULE_SIZE_LIMIT)


def check_module_file(path: Path) -> dict[str, Any]:
    """Parse and check a module file; return its data, or raise ModuleError with every problem."""
    _, data = read_module_file(path)
    problems = check_module_data(data, path)
    if problems:
        raise ModuleError("\n".join(listed(problems)))
    plain: dict[str, Any] = _plain(data)
    return plain


def _plain(value: Any) -> Any:
    """Strip the location records, giving plain dicts and lists."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return value.strip()
    return value
