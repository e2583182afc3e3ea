"""Charts of a poll's answers, for the facilitator's console and the projector screen (never phones).

One look everywhere: a colour-blind-safe palette (Okabe–Ito), counts on the bars, the prompt as title and
the number of answers underneath. Below the session's minimum group size no distribution is drawn at
all, only how many more answers are needed, so a chart can never single out a couple.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from workshop.polls import Tally

# Okabe & Ito (2008), readable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def subtitle(tally: Tally, min_group_size: int) -> str:
    """The line under the title: how many answered, or how many more are needed."""
    count = tally.respondents
    answers = f"{count} answer" + ("" if count == 1 else "s")
    if count < min_group_size:
        more = min_group_size - count
        return f"{answers} · results appear after {more} more (minimum {min_group_size})"
    if tally.poll.kind == "scale" and tally.mean is not None:
        return f"{answers} · mean {tally.mean:.1f} · median {tally.median:g}"
    if tally.poll.kind == "multiple":
        return f"{answers} · each person could tick several"
    return answers


def bar_texts(tally: Tally) -> list[str]:
    return [f"{c} ({p:.0f}%)" for c, p in zip(tally.counts, tally.percentages, strict=True)]


def new_poll_figure() -> go.FigureWidget:
    """An empty chart, updated in place by `draw_tally` as answers arrive."""
    figure = go.FigureWidget(
        data=[go.Bar(x=[], y=[], marker_color=PALETTE[0], textposition="auto", cliponaxis=False)],
        layout=go.Layout(
            template="simple_white",
            height=380,
            margin={"l": 20, "r": 30, "t": 90, "b": 40},
            font={"size": 16},
            showlegend=False,
            title={"text": "No question open yet", "x": 0, "xanchor": "left"},
        ),
    )
    return figure


def draw_tally(figure: go.Figure, tally: Tally, min_group_size: int) -> None:
    """Redraw a chart from a tally; an empty plot below the minimum group size."""
    poll = tally.poll
    shown = tally.respondents >= min_group_size
    labels = [_wrap(label, 28) for label in tally.labels]
    counts = list(tally.counts) if shown else [0] * len(labels)
    texts = bar_texts(tally) if shown else [""] * len(labels)
    horizontal = poll.kind != "scale"
    with figure.batch_update():
        bar = figure.data[0]
        bar.orientation = "h" if horizontal else "v"
        bar.x, bar.y = (counts, labels) if horizontal else (labels, counts)
        bar.text = texts
        bar.marker.color = (
            [PALETTE[i % len(PALETTE)] for i in range(len(labels))] if horizontal else (PALETTE[0])
        )
        figure.layout.title.text = f"{_wrap(poll.prompt, 60)}<br><sup>{subtitle(tally, min_group_size)}</sup>"
        figure.layout.xaxis.visible = not horizontal
        figure.layout.yaxis.visible = horizontal
        figure.layout.yaxis.autorange = "reversed" if horizontal else True
        figure.layout.xaxis.type = "category" if not horizontal else "linear"
        figure.layout.height = max(300, 110 + 52 * len(labels)) if horizontal else 380
