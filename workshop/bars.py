"""Results as light HTML bars for phones (no Plotly there), and the words every chart puts on its bars.

The console and the screen draw Plotly charts (`workshop.charts`); phones draw these. Both take their
numbers and labels from here, so every view of a poll says the same thing.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from workshop.content import Poll
from workshop.language import Words
from workshop.polls import Results, Shift, Tally
from workshop.reveal import Showing

# Okabe & Ito (2008), readable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BEFORE_COLOUR, AFTER_COLOUR = "#56B4E9", "#0072B2"


def choice_labels(poll: Poll) -> list[str]:
    """A bar's label: the option, or the scale point with the words for its end."""
    if poll.kind != "scale":
        return list(poll.options)
    ends = {poll.min: poll.min_label, poll.max: poll.max_label}
    return [f"{point} · {ends[point]}" if ends.get(point) else str(point) for point in poll.scale_points]


def bar_texts(tally: Tally) -> list[str]:
    """What sits on each bar: the count and its share of the people who answered."""
    return [f"{c} ({p:.0f}%)" for c, p in zip(tally.counts, tally.percentages, strict=True)]


def summary(results: Results, min_group_size: int, words: Words) -> str:
    """The line under a shown chart: how many answered, and the figures that matter for its kind."""
    if isinstance(results, Shift):
        line = words(
            "results.before-after",
            before=_answers(results.before, words),
            after=_answers(results.after, words),
        )
        if results.paired >= min_group_size:
            line += words(
                "results.shift",
                paired=results.paired,
                higher=results.higher,
                same=results.same,
                lower=results.lower,
            )
        return line
    if results.poll.kind == "multiple":
        return words("results.multiple", answers=_answers(results, words))
    return _answers(results, words)


def _answers(tally: Tally, words: Words) -> str:
    count = words.answers(tally.respondents)
    if tally.mean is not None and tally.median is not None:
        return words(
            "results.mean-median", answers=count, mean=f"{tally.mean:.1f}", median=f"{tally.median:g}"
        )
    return count


def _row(label: str, bars: list[tuple[int, float, str]]) -> str:
    tracks = "".join(
        f'<div class="bar-track"><div class="bar" style="width:{percent * 0.8:.1f}%;background:{colour}">'
        f'</div><span class="bar-value">{count} ({percent:.0f}%)</span></div>'
        for count, percent, colour in bars
    )
    return f'<div class="bar-row"><div class="bar-label">{html.escape(label)}</div>{tracks}</div>'


def results_html(
    results: Results, showing: Showing, min_group_size: int, words: Words, texts: Sequence[str] = ()
) -> str:
    """A poll's results as HTML a phone draws without any script; only the note when they may not show."""
    poll = results.poll
    parts = ['<div class="workshop-bars">', f"<h3>{html.escape(poll.prompt)}</h3>"]
    if not showing.results:
        parts.append(f'<p class="bar-note">{html.escape(showing.note)}</p></div>')
        return "".join(parts)
    if isinstance(results, Shift):
        parts.append(
            f'<p class="bar-note"><span class="bar-key" style="background:{BEFORE_COLOUR}"></span>'
            f"{html.escape(words('results.before'))}"
            f'<span class="bar-key" style="background:{AFTER_COLOUR}"></span>'
            f"{html.escape(words('results.after'))}</p>"
        )
        for index, label in enumerate(choice_labels(poll)):
            parts.append(
                _row(
                    label,
                    [
                        (results.before.counts[index], results.before.percentages[index], BEFORE_COLOUR),
                        (results.after.counts[index], results.after.percentages[index], AFTER_COLOUR),
                    ],
                )
            )
    elif poll.kind == "text":
        parts.extend(f"<blockquote>{html.escape(text)}</blockquote>" for text in texts)
        if not texts:
            parts.append(f'<p class="bar-note">{html.escape(words("results.no-texts"))}</p>')
    else:
        for index, label in enumerate(choice_labels(poll)):
            colour = PALETTE[index % len(PALETTE)] if poll.kind != "scale" else PALETTE[0]
            parts.append(_row(label, [(results.counts[index], results.percentages[index], colour)]))
    parts.append(f'<p class="bar-note">{html.escape(summary(results, min_group_size, words))}</p></div>')
    return "".join(parts)
