"""When a poll's results may be seen, by the facilitator and by the room, and what a view says instead.

Two rules guard a couple sitting side by side. No distribution is shown anywhere from fewer answers
than the session's minimum group size. And a poll's reveal policy says when the group may see it: live,
once the poll has closed (the default), or never (the facilitator alone). Every view asks here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workshop.content import Module, Poll, RevealPolicy
from workshop.language import Words

# The policies from the most open to the strictest.
STRICTNESS: tuple[RevealPolicy, ...] = ("live", "after-close", "never")


@dataclass(frozen=True)
class Standing:
    """The policy and status that govern a poll's results (for a before/after pair, both polls')."""

    policy: RevealPolicy
    open: bool


@dataclass(frozen=True)
class Showing:
    """Whether a view may show a poll's results, and the line it shows about them either way."""

    results: bool
    note: str


def policy_of(poll: Poll) -> RevealPolicy:
    """A poll's reveal policy as enforced: a private poll is never shown to the room, and written
    answers are never live.

    A private poll asks about safety or fear: even a total on the screen could be read by the partner
    alongside. A text shown as it arrives would tell the room, and the facilitator, who just wrote it.
    """
    if poll.private:
        return "never"
    return "after-close" if poll.kind == "text" and poll.reveal == "live" else poll.reveal


def standing(module: Module, poll: Poll, statuses: Mapping[str, str]) -> Standing:
    """How a poll's results stand; a scale asked again takes the stricter policy of the two rounds.

    `statuses` maps poll ids to "open" or "closed" (a poll not in it has not been asked).
    """
    rounds = [poll, module.poll(poll.before)] if poll.before else [poll]
    policy = max((policy_of(p) for p in rounds), key=STRICTNESS.index)
    return Standing(policy, any(statuses.get(p.id) == "open" for p in rounds))


def _below_minimum(respondents: int, min_group_size: int, words: Words) -> Showing:
    note = words(
        "results.below-minimum",
        answers=words.answers(respondents),
        more=min_group_size - respondents,
        minimum=min_group_size,
    )
    return Showing(False, note)


def for_facilitator(standing: Standing, respondents: int, min_group_size: int, words: Words) -> Showing:
    """The console: while an after-close (or never) poll is open, only how many have answered.

    The facilitator sees the room too; a bar moving as one person taps would tell them who said what.
    """
    answers = words.answers(respondents)
    if respondents < min_group_size:
        return _below_minimum(respondents, min_group_size, words)
    if standing.open and standing.policy != "live":
        return Showing(False, words("results.after-close-facilitator", answers=answers))
    return Showing(True, answers)


def for_room(
    standing: Standing, revealed: bool, respondents: int, min_group_size: int, words: Words
) -> Showing:
    """The projector screen and the phones: only what the facilitator revealed and the policy allows."""
    answers = words.answers(respondents)
    if standing.policy == "never":
        return Showing(False, words("results.facilitator-only", answers=answers))
    if respondents < min_group_size:
        return _below_minimum(respondents, min_group_size, words)
    if standing.open and standing.policy != "live":
        return Showing(False, words("results.after-close-room", answers=answers))
    return Showing(revealed, answers)


def live_batch(min_group_size: int) -> int:
    """How many answers (new or changed) a live chart in front of the room waits for before it moves.

    A bar that grows by one as a person taps tells the partner beside them what they chose; a batch of
    at least the minimum group size (and never fewer than two) hides each tap among the others.
    """
    return max(2, min_group_size)


def may_reveal(module: Module, poll: Poll) -> bool:
    """Whether the facilitator may put this poll's results in front of the room at all."""
    return standing(module, poll, {}).policy != "never"
