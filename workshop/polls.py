"""What an answer to each kind of poll may be, and how a poll's answers add up.

The browser can forge any widget state, so the kernel runs every answer through `check_answer` before
it is stored, whatever the widgets on the page allowed.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from workshop.content import Poll
from workshop.errors import AnswerRefused

Answer = str | int | list[str]


def check_answer(poll: Poll, value: object) -> Answer:
    """Return the answer in its stored form, or raise AnswerRefused saying what the poll allows."""
    if poll.kind == "single":
        if not isinstance(value, str) or value not in poll.options:
            raise AnswerRefused(f"Please choose one of the options of “{poll.prompt}”.")
        return value
    if poll.kind == "multiple":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise AnswerRefused(f"Please tick options from the list of “{poll.prompt}”.")
        picked = list(dict.fromkeys(value))  # a repeated tick counts once
        if not picked:
            raise AnswerRefused("Please tick at least one option before sending.")
        if any(v not in poll.options for v in picked):
            raise AnswerRefused(f"Please tick options from the list of “{poll.prompt}”.")
        if poll.max_picks is not None and len(picked) > poll.max_picks:
            raise AnswerRefused(f"Please tick at most {poll.max_picks} options.")
        # Stored in the poll's own order, so an answer never records the order a device showed.
        return [option for option in poll.options if option in picked]
    if poll.kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int) or value not in poll.scale_points:
            raise AnswerRefused(f"Please choose a point from {poll.min} to {poll.max}.")
        return value
    raise AnswerRefused(f"This poll's kind '{poll.kind}' cannot take answers.")


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
    """Add up stored answers of one poll."""
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
