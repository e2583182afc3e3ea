"""What an answer to each kind of poll may be, and how a poll's answers add up.

The browser can forge any widget state, so the kernel runs every answer through `check_answer` before
it is stored, whatever the widgets on the page allowed.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workshop.content import Poll
from workshop.errors import AnswerRefused

Answer = str | int | list[str]

# Characters that draw nothing but can hide a word from the safety check or blank out an answer:
# letters that render as empty space, and the combining grapheme joiner (format characters, category
# Cf, such as the soft hyphen and zero-width joiners, are found by their category).
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"}


def clean_text(value: str) -> str:
    """An open-text answer as stored: NFC, nothing invisible, single spaces, at most one blank line."""
    kept: list[str] = []
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    for at, char in enumerate(text):
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") and _inside_a_word(text, at):
            continue  # a line separator slipped into a word to split it for the safety check
        if char in "\n\r" or category in ("Zl", "Zp"):
            kept.append("\n")
        elif category == "Cf" or char in _INVISIBLE or (category == "Cc" and char != "\t"):
            continue  # NUL and other controls draw nothing: a word with one inside is still that word
        elif category == "Zs" or char == "\t":
            kept.append(" ")  # tabs and odd spaces become plain spaces
        else:
            kept.append(char)
    lines = [" ".join(line.split()) for line in "".join(kept).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip())


def _inside_a_word(text: str, at: int) -> bool:
    return 0 < at < len(text) - 1 and text[at - 1].isalpha() and text[at + 1].isalpha()


def check_answer(poll: Poll, value: object) -> Answer:
    """Return the answer in its stored form, or raise AnswerRefused saying what the poll allows."""
    if poll.kind == "single":
        if not isinstance(value, str) or value not in poll.options:
            raise AnswerRefused(key="refused.choose-one", prompt=poll.prompt)
        return value
    if poll.kind == "multiple":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise AnswerRefused(key="refused.tick-from-list", prompt=poll.prompt)
        picked = list(dict.fromkeys(value))  # a repeated tick counts once
        if not picked:
            raise AnswerRefused(key="refused.tick-one")
        if any(v not in poll.options for v in picked):
            raise AnswerRefused(key="refused.tick-from-list", prompt=poll.prompt)
        if poll.max_picks is not None and len(picked) > poll.max_picks:
            raise AnswerRefused(key="refused.tick-at-most", n=poll.max_picks)
        # Stored in the poll's own order, so an answer never records the order a device showed.
        return [option for option in poll.options if option in picked]
    if poll.kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int) or value not in poll.scale_points:
            raise AnswerRefused(key="refused.scale-point", low=poll.min, high=poll.max)
        return value
    if poll.kind == "text":
        return _check_text(poll, value)
    raise AnswerRefused(key="refused.kind", kind=poll.kind)


def _check_text(poll: Poll, value: object) -> str:
    if not isinstance(value, str):
        raise AnswerRefused(key="refused.as-text")
    # Measured before cleaning too, so a forged megabyte is refused without being processed.
    text = clean_text(value) if len(value) <= 4 * poll.max_length else value
    if not text:
        raise AnswerRefused(key="refused.few-words")
    if len(text) > poll.max_length:
        raise AnswerRefused(key="refused.too-long", length=len(text), n=poll.max_length)
    return text


@dataclass(frozen=True)
class Tally:
    """A poll's answers added up: one count per choice, in the poll's order."""

    poll: Poll
    counts: tuple[int, ...]
    respondents: int
    mean: float | None = None
    median: float | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.poll.choices

    @property
    def percentages(self) -> tuple[float, ...]:
        """Share of respondents per choice (for multiple choice these add up to more than 100)."""
        if not self.respondents:
            return tuple(0.0 for _ in self.counts)
        return tuple(100 * count / self.respondents for count in self.counts)


def tally(poll: Poll, answers: Iterable[Answer]) -> Tally:
    """Add up stored answers of one poll (for open text, only how many answered)."""
    choices = poll.choices
    counts = dict.fromkeys(choices, 0)
    points: list[int] = []
    respondents = 0
    for answer in answers:
        respondents += 1
        picked = answer if isinstance(answer, list) else [str(answer)]
        for choice in picked:
            if choice in counts:
                counts[choice] += 1
        if isinstance(answer, int):
            points.append(answer)
    mean = statistics.fmean(points) if points else None
    median = float(statistics.median(points)) if points else None
    return Tally(poll, tuple(counts.values()), respondents, mean, median)


@dataclass(frozen=True)
class Shift:
    """A scale asked before and again after: both distributions, and how each person moved."""

    before: Tally
    after: Tally
    paired: int  # people who answered both
    higher: int
    same: int
    lower: int

    @property
    def poll(self) -> Poll:
        return self.after.poll

    @property
    def respondents(self) -> int:
        """The smaller group of the two: both distributions must clear the minimum group size."""
        return min(self.before.respondents, self.after.respondents)

    @property
    def mean_change(self) -> float | None:
        if self.before.mean is None or self.after.mean is None:
            return None
        return self.after.mean - self.before.mean


def shift(
    before: Poll,
    after: Poll,
    before_answers: Iterable[Answer],
    after_answers: Iterable[Answer],
    pairs: Iterable[tuple[int, int]],
) -> Shift:
    """Tally a before/after pair; `pairs` holds (before, after) of each person who answered both."""
    moves = [b - a for a, b in pairs]
    return Shift(
        before=tally(before, before_answers),
        after=tally(after, after_answers),
        paired=len(moves),
        higher=sum(1 for m in moves if m > 0),
        same=sum(1 for m in moves if m == 0),
        lower=sum(1 for m in moves if m < 0),
    )


Results = Tally | Shift


def _tally_dict(t: Tally) -> dict[str, Any]:
    return {"counts": list(t.counts), "respondents": t.respondents, "mean": t.mean, "median": t.median}


def _tally_from(poll: Poll, data: dict[str, Any]) -> Tally:
    return Tally(poll, tuple(data["counts"]), data["respondents"], data["mean"], data["median"])


def results_json(results: Results) -> str:
    """Results as stored for the room's live batches (the poll itself is the session's)."""
    if isinstance(results, Tally):
        return json.dumps({"tally": _tally_dict(results)})
    moves = {"paired": results.paired, "higher": results.higher, "same": results.same, "lower": results.lower}
    return json.dumps({"before": _tally_dict(results.before), "after": _tally_dict(results.after), **moves})


def results_from_json(poll: Poll, before: Poll | None, text: str) -> Results:
    """Results stored by `results_json`, for `poll` (and the first round `before` of a pair)."""
    data = json.loads(text)
    if "tally" in data:
        return _tally_from(poll, data["tally"])
    assert before is not None, "a stored pair needs its first round"
    return Shift(
        before=_tally_from(before, data["before"]),
        after=_tally_from(poll, data["after"]),
        paired=data["paired"],
        higher=data["higher"],
        same=data["same"],
        lower=data["lower"],
    )
