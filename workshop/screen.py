"""The projector screen: how to join, the current section, the open question and revealed results.

Legible from the back of a room at 1280×720 and 1920×1080. It never shows facilitator notes or the
moderation queue. Results appear only once the facilitator has revealed them, the poll's policy allows
and enough people have answered (`workshop.reveal`), so partners side by side learn nothing from a bar.
"""

from __future__ import annotations

import html
import os
from urllib.parse import parse_qs

import ipywidgets as widgets

from workshop.charts import draw_results, first_chart, new_poll_figure
from workshop.content import Poll
from workshop.errors import WorkshopError
from workshop.following import follow
from workshop.language import Words
from workshop.polls import Results
from workshop.reveal import Showing, for_room, standing
from workshop.sessions import participant_url, qr_svg
from workshop.store import SessionRecord, Store
from workshop.support import contacts_html

SCREEN_STYLE = """
<style>
.workshop-screen { font-size: 28px; line-height: 1.35; padding: 16px 24px; }
.workshop-screen .widget-html-content { font-size: 28px; line-height: 1.35; }
.workshop-screen .join-code { font-size: 96px; font-weight: bold; letter-spacing: 12px; }
.workshop-screen .address { font-size: 30px; }
.workshop-screen h1 { font-size: 48px; margin: 0 0 12px; }
.workshop-screen h2 { font-size: 32px; margin: 8px 0 4px; color: #444; }
.workshop-screen .prompt { font-size: 44px; font-weight: bold; line-height: 1.2; margin: 8px 0; }
.workshop-screen .count { font-size: 32px; margin: 4px 0; }
.workshop-screen .support-contacts { list-style: none; padding: 0; }
.workshop-screen .support-contacts li { margin: 0 0 18px; }
.workshop-screen .waiting { font-size: 32px; color: #444; }
/* With results up, how to join shrinks to one line so the chart has the room. */
.workshop-screen .compact h1 { font-size: 30px; margin: 0; }
.workshop-screen .compact .join-code { font-size: 44px; letter-spacing: 6px; }
.workshop-screen .compact .address { font-size: 22px; }
/* The chart takes the screen's whole width (a flex child would otherwise keep Plotly's 700 px). */
.workshop-screen .workshop-chart > * { flex: 1 1 auto; width: 100%; height: 100%; }
.workshop-screen .answers { display: flex; flex-wrap: wrap; gap: 16px; }
.workshop-screen blockquote { font-size: 30px; margin: 0; padding: 12px 18px; max-width: 560px;
  border-left: 8px solid #0072B2; background: #f3f7fb; overflow-wrap: anywhere; white-space: pre-wrap; }
</style>
"""

# The compact join strip above a revealed chart, with the page's padding, is about 190 px high.
CHART_HEIGHT = "calc(100vh - 200px)"


class Screen:
    """The room's view of one session; `view` is what Voila shows."""

    def __init__(self, store: Store, *, session_id: int | None = None, participant_base: str = "") -> None:
        from workshop.console import default_participant_base

        self.store = store
        self.participant_base = participant_base or default_participant_base()
        self.session: SessionRecord | None = None
        self.wanted = session_id
        self._seen: tuple[object, ...] = ()
        self._join_drawn: tuple[int, bool] | None = None
        self.join = widgets.HTML()
        self.qr = widgets.HTML()
        self.now = widgets.HTML()
        self.figure = new_poll_figure("screen")
        self._charted = False  # no chart drawn yet: the first is made a widget as drawn
        self.chart = widgets.Box([self.figure], layout=widgets.Layout(width="100%"))
        self.chart.add_class("workshop-chart")
        self._show_chart(False)
        self.texts = widgets.HTML()
        self.join_strip = widgets.HBox(
            [self.join, self.qr],
            layout=widgets.Layout(justify_content="space-between", align_items="center"),
        )
        self.view = widgets.VBox(
            [widgets.HTML(SCREEN_STYLE), self.join_strip, self.now, self.chart, self.texts]
        )
        self.view.add_class("workshop-screen")
        self.refresh()

    def _find_session(self) -> SessionRecord | None:
        if self.wanted is not None:
            record = self.store.session(self.wanted)
            return None if record.ended else record
        running = self.store.running_sessions()
        return running[0] if running else None

    def refresh(self) -> None:
        """Redraw when the session, the section, the open poll, the counts or the results changed."""
        if self.session is not None and self.wanted is None and not self._following_newest():
            self.session = None  # a newer session started: the projector must show its code, not the old one
        if self.session is None or self.store.state(self.session.id).ended:
            ended, self.session = self.session, self._find_session()
            if self.session is None and ended is not None:
                self._draw_end(ended)
                self.session = ended  # keep the end screen until another session starts
                return
            if self.session is None:
                self._seen = ()
                self._join_drawn = None
                self.join.value = f"<h1>{html.escape(Words()('screen.soon'))}</h1>"
                self.qr.value = ""
                self.now.value = ""
                self._show_chart(False)
                self.texts.value = ""
                return
        session = self.session
        words = Words(session.module.language)
        state = self.store.state(session.id)
        count = self.store.answer_count(session.id, state.open_poll) if state.open_poll else 0
        statuses = self.store.poll_statuses(session.id)
        revealed = None
        if state.revealed_poll:
            stands = standing(session.module, session.module.poll(state.revealed_poll), statuses)
            revealed = self.store.room_results(
                session.id,
                state.revealed_poll,
                live=stands.policy == "live",
            )
        seen = (session.id, state.version, count, revealed)
        if seen == self._seen:
            return
        self._seen = seen
        self._draw_join(session, words, compact=revealed is not None)
        record = self.store.session(session.id)
        parts = []
        if record.current_section and revealed is None:
            parts.append(f"<h2>{html.escape(session.module.section(record.current_section).title)}</h2>")
        # A live poll on show has its prompt and count on the chart itself, which needs the height.
        if state.open_poll and state.open_poll != state.revealed_poll:
            poll = session.module.poll(state.open_poll)
            stands = standing(session.module, poll, statuses)
            showing = for_room(stands, False, count, session.min_group_size, words)
            note = showing.note if not showing.results else words.answers(count)
            parts.append(f'<p class="prompt">{html.escape(poll.prompt)}</p>')
            parts.append(
                f'<p class="count">{html.escape(note)} · {html.escape(words("screen.answer-on-phone"))}</p>'
            )
        self.now.value = "".join(parts)
        self._show_chart(False)
        self.texts.value = ""
        if revealed is None or state.revealed_poll is None:
            return
        poll = session.module.poll(state.revealed_poll)
        stands = standing(session.module, poll, statuses)
        showing = for_room(stands, True, revealed.respondents, session.min_group_size, words)
        if poll.kind == "text":
            self.texts.value = self._texts_html(session.id, poll, showing, words)
        else:
            self._draw_chart(revealed, showing, session.min_group_size, words)
            self._show_chart(True)

    def _draw_chart(self, results: Results, showing: Showing, min_group_size: int, words: Words) -> None:
        """A screen opened (or reloaded) while results are revealed shows them at once (`first_chart`)."""
        if not self._charted:
            self.figure = first_chart("screen", results, showing, min_group_size, words)
            self.chart.children = (self.figure,)
            self._charted = True
            return
        draw_results(self.figure, results, showing, min_group_size, words)

    def _following_newest(self) -> bool:
        assert self.session is not None
        newest = self.store.newest_running_session()
        return newest is None or newest == self.session.id

    def _draw_end(self, session: SessionRecord) -> None:
        """The session is over: thanks, and the support contacts, large enough to copy from the back."""
        if self._seen == ("ended", session.id):
            return
        self._seen = ("ended", session.id)
        self._join_drawn = None
        words = Words(session.module.language)
        contacts = self.store.support(session.id)
        self.join.value = f"<h1>{html.escape(words('screen.thanks'))}</h1>"
        self.qr.value = ""
        self.now.value = (
            contacts_html(contacts, words("screen.support"))
            if contacts
            else f"<p>{html.escape(words('participant.no-support'))}</p>"
        )
        self._show_chart(False)
        self.texts.value = ""

    def _show_chart(self, shown: bool) -> None:
        """Fold the chart away rather than hide it: Plotly sizes itself only inside a visible box."""
        # Shown, it takes the window's height below the compact join strip, at 720 or 1080 px alike.
        self.chart.layout.height = CHART_HEIGHT if shown else "0px"
        self.chart.layout.overflow = None if shown else "hidden"

    @property
    def chart_shown(self) -> bool:
        return bool(self.chart.layout.height != "0px")

    def _texts_html(self, session_id: int, poll: Poll, showing: Showing, words: Words) -> str:
        """Approved open-text answers as cards, escaped; none while the group is below the minimum."""
        shown = showing.results
        texts = self.store.approved_texts(session_id, poll.id) if shown else []
        cards = "".join(f"<blockquote>{html.escape(text)}</blockquote>" for text in texts)
        note = showing.note
        if shown:
            note = "" if texts else words("results.share-soon")
        lines = f'<p class="waiting">{html.escape(note)}</p>' if note else ""
        return f'<h2>{html.escape(poll.prompt)}</h2>{lines}<div class="answers">{cards}</div>'

    def _draw_join(self, session: SessionRecord, words: Words, *, compact: bool) -> None:
        """How to join: large while the room gathers, one line while results are up."""
        if self._join_drawn == (session.id, compact):
            return
        self._join_drawn = (session.id, compact)
        url = participant_url(self.participant_base, session.join_code)
        self.join.value = (
            f'<div class="{"compact" if compact else ""}">'
            f"<h1>{html.escape(session.module.title)}</h1>"
            f"<div>{html.escape(words('screen.join-with'))} "
            f'<span class="join-code">{session.join_code}</span></div>'
            f'<div class="address">{html.escape(url)}</div></div>'
        )
        self.qr.value = qr_svg(url, scale=3 if compact else 10)

    def start(self) -> None:
        self._task = follow(self.refresh, 0.5, what="projector screen")


def show_screen(store: Store | None = None) -> Screen | None:
    """What `screen.ipynb` runs: the screen of `?session=N`, or of the newest running session."""
    from IPython.display import display

    query = parse_qs(os.environ.get("QUERY_STRING", ""))
    wanted = (query.get("session") or [""])[0]
    try:
        screen = Screen(store or Store(), session_id=int(wanted) if wanted.isdigit() else None)
    except WorkshopError as error:
        display(widgets.HTML(f"<p>{html.escape(str(error))}</p>"))
        return None
    display(screen.view)
    screen.start()
    return screen
