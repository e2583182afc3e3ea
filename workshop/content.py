"""The content model: a workshop module (sections and polls) and how it is read from YAML.

A module is one YAML file a trainer edits. It is checked here, with the file and line of every problem,
so that a mistake is found before the workshop and never as a traceback in front of a room. Sessions keep
a JSON snapshot of the module (`Module.to_dict`), so participant kernels never need YAML or the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from workshop.errors import ModuleError

BUILT_IN_FOLDER = Path(__file__).parent / "modules"
# The words the kit uses for a poll and its answers, each a Literal so that mypy catches a typo in a
# comparison; the tuples are the same words for checks at run time.
PollKind = Literal["single", "multiple", "scale", "text"]
POLL_KINDS: tuple[PollKind, ...] = get_args(PollKind)
# When the group may see a poll's distribution: as answers arrive, once the poll has closed, or never
# (the facilitator alone sees it). Partners sit side by side, so a bar that moves as one of them taps
# tells the other what was answered: "after-close" is the default.
RevealPolicy = Literal["live", "after-close", "never"]
REVEAL_POLICIES: tuple[RevealPolicy, ...] = get_args(RevealPolicy)
# A poll in a session is open, or closed after it was open; one never opened has no status.
PollStatus = Literal["open", "closed"]
POLL_STATUSES: tuple[PollStatus, ...] = get_args(PollStatus)
# What the facilitator made of an open-text answer: not read yet, shown to the room, or turned down.
Review = Literal["pending", "approved", "rejected"]
REVIEWS: tuple[Review, ...] = get_args(Review)
DEFAULT_TEXT_LENGTH = 280
# Short enough for every database column that holds an id (100 characters).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True)
class Poll:
    """One question put to the group."""

    id: str
    kind: PollKind
    prompt: str
    options: tuple[str, ...] = ()
    max_picks: int | None = None
    min: int = 1
    max: int = 5
    min_label: str = ""
    max_label: str = ""
    # Open text: the most characters an answer may have.
    max_length: int = DEFAULT_TEXT_LENGTH
    # A scale that asks again what an earlier scale poll asked: charted beside it, before and after.
    before: str = ""
    reveal: RevealPolicy = "after-close"
    # Results that stay on the facilitator's console, whatever `reveal` says: for questions about safety
    # or fear, where even a total on the screen could be read by a partner sitting alongside.
    private: bool = False

    @property
    def kind_name(self) -> str:
        """The kind as a facilitator reads it."""
        if self.before:
            return "before/after scale"
        return {"single": "single choice", "multiple": "multiple choice", "text": "open text"}.get(
            self.kind, self.kind
        )

    @property
    def scale_points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1)) if self.kind == "scale" else ()

    @property
    def choices(self) -> tuple[str, ...]:
        """What a chart has a bar for: the options, or the scale points as text."""
        return self.options if self.kind != "scale" else tuple(str(p) for p in self.scale_points)


@dataclass(frozen=True)
class Section:
    """One part of the session's agenda."""

    id: str
    title: str
    minutes: int
    text: str
    notes: str
    polls: tuple[str, ...] = ()
    # Safety guidance for this section, kept apart from the notes so the guide can gather it up front
    # (in any language) and the slides and console can show it first.
    safety: str = ""


@dataclass(frozen=True)
class Source:
    """The article a module is drawn from."""

    title: str
    publisher: str
    url: str = ""


@dataclass(frozen=True)
class Module:
    """A whole workshop module: the agenda of sections and the polls they use."""

    id: str
    title: str
    duration: int
    sections: tuple[Section, ...]
    polls: tuple[Poll, ...]
    language: str = "en"
    summary: str = ""
    source: Source | None = None
    short_path: tuple[str, ...] = ()
    # How long the short path takes, in whole minutes: the minutes of its sections add up to it.
    short_duration: int | None = None
    # Each device shows choice options in its own order, so a glance at a partner's screen says nothing.
    shuffle_options: bool = False
    # Words that flag an open-text answer to the facilitator, added to the kit's own list.
    safety_words: tuple[str, ...] = ()
    # Safety guidance for the whole session (the protocol for a disclosure, say), first in the guide.
    safety: str = ""
    origin: str = field(default="", compare=False)

    def poll(self, poll_id: str) -> Poll:
        for poll in self.polls:
            if poll.id == poll_id:
                return poll
        raise KeyError(poll_id)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def section_of(self, poll_id: str) -> Section | None:
        return next((s for s in self.sections if poll_id in s.polls), None)

    def to_dict(self) -> dict[str, Any]:
        """The module as plain data: what a session stores, and what its hash is taken of."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "duration": self.duration,
            "summary": self.summary,
            "short_path": list(self.short_path),
            "shuffle_options": self.shuffle_options,
            "safety_words": list(self.safety_words),
            "sections": [_section_dict(section) for section in self.sections],
            "polls": [_poll_dict(poll) for poll in self.polls],
        }
        if self.safety:  # like every field added later: only when set, so older modules keep their hash
            data["safety"] = self.safety
        if self.source:
            data["source"] = dict(self.source.__dict__)
        if self.short_duration is not None:  # only when set, so a module without one keeps its hash
            data["short_duration"] = self.short_duration
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "") -> Module:
        """Build a module from data already checked (a session's snapshot or a validated file)."""
        source = data.get("source")
        return cls(
            id=data["id"],
            title=data["title"],
            language=data.get("language", "en"),
            duration=data["duration"],
            summary=data.get("summary", ""),
            source=Source(**source) if source else None,
            short_path=tuple(data.get("short_path", ())),
            short_duration=data.get("short_duration"),
            shuffle_options=bool(data.get("shuffle_options", False)),
            safety_words=tuple(data.get("safety_words", ())),
            safety=data.get("safety", ""),
            sections=tuple(Section(**{**s, "polls": tuple(s.get("polls") or ())}) for s in data["sections"]),
            polls=tuple(_poll_from_dict(p) for p in data["polls"]),
            origin=origin,
        )

    @property
    def content_hash(self) -> str:
        """A short hash of the content, recorded with each session so old results keep their meaning."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _section_dict(section: Section) -> dict[str, Any]:
    data = {**section.__dict__, "polls": list(section.polls)}
    if not section.safety:  # left out when empty, so a module without safety notes keeps its hash
        del data["safety"]
    return data


def _poll_dict(poll: Poll) -> dict[str, Any]:
    data = {**poll.__dict__, "options": list(poll.options)}
    if not poll.private:  # left out when false, so a module without private polls keeps its hash
        del data["private"]
    return data


def _poll_from_dict(data: dict[str, Any]) -> Poll:
    """A poll from plain data. A private poll is read as `reveal: never` too, so that every view that
    asks a poll's policy (the console's reveal button, the moderation queue, the guide) keeps it off
    the room, not only those that go through `workshop.reveal`."""
    values = {**data, "options": tuple(data.get("options", ()))}
    if values.get("private"):
        values["reveal"] = "never"
    return Poll(**values)


def load_module(path: str | Path) -> Module:
    """Read and check one module file; raise ModuleError listing every problem with its line."""
    from workshop.module_checks import check_module_file

    path = Path(path)
    data = check_module_file(path)
    return Module.from_dict(data, origin=str(path))


def module_folders(extra: list[Path] | None = None) -> list[Path]:
    """The built-in folder first, then trainers' folders."""
    return [BUILT_IN_FOLDER, *(extra or [])]


def find_modules(folders: list[Path] | None = None) -> dict[str, Path]:
    """Every module file found, by id (file stem); a trainer's file overrides a built-in one."""
    found: dict[str, Path] = {}
    for folder in module_folders(folders):
        for path in sorted(folder.glob("*.y*ml")):
            found[path.stem] = path
    return found


def find_module(module_id: str, folders: list[Path] | None = None) -> Module:
    """Load the module with this id from the built-in or the trainers' folders."""
    found = find_modules(folders)
    if module_id not in found:
        known = ", ".join(sorted(found)) or "none"
        raise ModuleError(
            f"no module called '{module_id}' — choose one of: {known} (or add its folder with --modules)"
        )
    return load_module(found[module_id])
