"""Charts of a poll's results, for the facilitator's console and the projector screen (never phones).

One look everywhere: a colour-blind-safe palette (Okabe–Ito), counts on the bars, the prompt as title and
the number of answers underneath; no grid, no legend unless two rounds share a chart. When a view may
not show the results (too few answers, or the poll's reveal policy) the chart has no bars at all, only
the line that says why, so a chart can never single out a couple.
"""

from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from workshop.bars import AFTER_COLOUR, BEFORE_COLOUR, PALETTE, bar_texts, choice_labels, summary
from workshop.language import Words
from workshop.polls import Results, Shift, Tally
from workshop.reveal import Showing

# Type and sizes for a laptop, and for a projector read from the back of a room. On the projector no chart
# text (bar labels, axis labels, legend, title, the summary line) is smaller than 28 px, at 1920×1080 and
# at 1280×720 alike: 1/38 of a 1080-px picture's height, and larger still on a 720-px one.
MINIMUM_SCREEN_TEXT_PX = 28
# `wrap` and `note_wrap` are the characters per line of the prompt and of the summary under it.
SIZES = {
    "console": {
        "font": 16, "title": 20, "note": 16, "bar": 52, "height": 380, "tallest": 900, "wrap": 60,
        "note_wrap": 90,
    },
    # 520 px leaves room for the join strip (~180 px) on a 1280×720 projector.
    "screen": {
        "font": MINIMUM_SCREEN_TEXT_PX, "title": 40, "note": MINIMUM_SCREEN_TEXT_PX, "bar": 84,
        "height": 520, "tallest": 520, "wrap": 55, "note_wrap": 80,
    },
}  # fmt: skip


def _wrap(text: str, width: int) -> str:
    """Escaped (Plotly draws a little HTML in titles and labels) and broken into lines."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width)) or html.escape(text)


def _top_margin(look: dict[str, int], prompt_lines: int, note_lines: int, *, legend: bool) -> int:
    """Room above the bars for the title's lines, the summary's and the legend's, so none overprints."""
    title = prompt_lines * look["title"] * 1.3 + note_lines * look["note"] * 1.35
    return int(24 + title + (look["font"] * 1.9 if legend else 0))


def new_poll_figure(size: str = "console", words: Words | None = None) -> go.FigureWidget:
    """An empty chart with room for two rounds, updated in place by `draw_results`."""
    return as_widget(poll_figure(size, words))


def as_widget(figure: go.Figure) -> go.FigureWidget:
    """The chart as a widget, with what it was drawn with as its first state.

    Changes made to a widget before the page has shown it are lost; a figure drawn first and then made a
    widget shows at once what it was drawn with.
    """
    widget = go.FigureWidget(figure)
    # Follow the window when it changes size (a screen dragged onto the projector and made full screen).
    widget._config = {"responsive": True, "displaylogo": False, "displayModeBar": False}
    return widget


def first_chart(
    size: str, results: Results, showing: Showing, min_group_size: int, words: Words
) -> go.FigureWidget:
    """The first chart a page shows, drawn before it becomes a widget so the page shows it at once."""
    draft = poll_figure(size, words)
    draw_results(draft, results, showing, min_group_size, words)
    return as_widget(draft)


def poll_figure(size: str = "console", words: Words | None = None) -> go.Figure:
    """The empty chart as a plain figure, to draw on before it becomes a widget (`as_widget`)."""
    look = SIZES[size]
    bar = {"textposition": "outside", "cliponaxis": False, "hoverinfo": "skip"}
    figure = go.Figure(
        data=[go.Bar(x=[], y=[], **bar), go.Bar(x=[], y=[], visible=False, **bar)],
        layout=go.Layout(
            template="simple_white",
            autosize=True,  # as wide as its box, whatever the projector's resolution
            height=None if size == "screen" else look["height"],
            margin={"l": 20, "r": 60, "t": _top_margin(look, 1, 1, legend=False), "b": 40},
            font={"size": look["font"]},
            title={
                "text": (words or Words())("results.no-question"),
                "x": 0,
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 12},
                "font": {"size": look["title"]},
            },
            barmode="group",
            # Under the title and its summary, above the bars: never over either.
            legend={
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1,
                "yanchor": "bottom",
                "font": {"size": look["font"]},
            },
        ),
    )
    figure.layout.meta = size
    return figure


def draw_results(
    figure: go.Figure | go.FigureWidget, results: Results, showing: Showing, min_group_size: int, words: Words
) -> None:
    """Redraw a chart; with nothing allowed to show, only the title and the line saying why."""
    look = SIZES[str(figure.layout.meta or "console")]
    poll = results.poll
    horizontal = poll.kind != "scale"
    # A scale's points stand side by side: the words for its ends go on a line of their own.
    labels = [
        _wrap(label, 28) if horizontal else "<br>".join(html.escape(part) for part in label.split(" · "))
        for label in choice_labels(poll)
    ]
    rounds: list[tuple[str, Tally, str | list[str]]]
    if isinstance(results, Shift):
        rounds = [
            (words("results.before"), results.before, BEFORE_COLOUR),
            (words("results.after"), results.after, AFTER_COLOUR),
        ]
    else:
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
        rounds = [("answers", results, colours if poll.kind != "scale" else PALETTE[0])]
    note = summary(results, min_group_size, words) if showing.results else showing.note
    with figure.batch_update():
        for index, trace in enumerate(figure.data):
            if index >= len(rounds):
                trace.visible = False
                continue
            name, tally, colour = rounds[index]
            counts = list(tally.counts) if showing.results else [0] * len(labels)
            texts = bar_texts(tally) if showing.results else [""] * len(labels)
            trace.visible = True
            trace.name = name
            trace.orientation = "h" if horizontal else "v"
            trace.x, trace.y = (counts, labels) if horizontal else (labels, counts)
            trace.text = texts
            trace.marker.color = colour
            trace.textfont.size = look["font"]
        layout = figure.layout
        legend = isinstance(results, Shift) and showing.results
        layout.showlegend = legend
        prompt, summary_lines = _wrap(poll.prompt, look["wrap"]), _wrap(note, look["note_wrap"])
        layout.title.text = f'{prompt}<br><span style="font-size:{look["note"]}px">{summary_lines}</span>'
        layout.margin.t = _top_margin(
            look, prompt.count("<br>") + 1, summary_lines.count("<br>") + 1, legend=legend
        )
        layout.xaxis.tickfont.size = layout.yaxis.tickfont.size = look["font"]
        layout.xaxis.automargin = layout.yaxis.automargin = True
        layout.xaxis.visible = not horizontal
        layout.yaxis.visible = horizontal
        layout.yaxis.autorange = "reversed" if horizontal else True
        layout.xaxis.type = "category" if not horizontal else "linear"
        # Headroom past the longest bar, so its label ("12 (100%)") is never cut off.
        longest = max((max(t.counts, default=0) for _, t, _ in rounds), default=0) if showing.results else 0
        value_axis = layout.xaxis if horizontal else layout.yaxis
        value_axis.range = [0, max(1, longest) * 1.3]
        (layout.yaxis if horizontal else layout.xaxis).range = None
        bars = len(labels) * len(rounds)
        tall = min(look["tallest"], max(look["height"], layout.margin.t + 60 + look["bar"] * bars))
        # On the projector the chart fills the box the screen gives it (the window's height).
        layout.height = None if look is SIZES["screen"] else (tall if horizontal else look["height"])
