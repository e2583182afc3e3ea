"""The projector screen: how to join, the current section and the open question, legible from the back.

It never shows facilitator notes. While a poll is open it shows only how many have answered: results
reach the room only through a reveal, so partners sitting side by side learn nothing from a moving bar.
"""

from __future__ import annotations

import html
import os
from urllib.parse import parse_qs

import ipywidgets as widgets

from workshop.errors import WorkshopError
from workshop.following import follow
from workshop.sessions import participant_url, qr_svg
from workshop.store import SessionRecord, Store

SCREEN_STYLE = """
<style>
.workshop-screen { font-size: 28px; line-height: 1.35; padding: 24px; }
.workshop-screen .widget-html-content { font-size: 28px; line-height: 1.35; }
.workshop-screen .join-code { font-size: 96px; font-weight: bold; letter-spacing: 12px; }
.workshop-screen .address { font-size: 30px; }
.workshop-screen h1 { font-size: 48px; margin: 0 0 12px; }
.workshop-screen h2 { font-size: 40px; margin: 24px 0 8px; }
.workshop-screen .count { font-size: 36px; }
</style>
"""


class Screen:
    """The room's view of one session; `view` is what Voila shows."""

    def __init__(self, store: Store, *, session_id: int | None = None, participant_base: str = "") -> None:
        from workshop.console import default_participant_base

        self.store = store
        self.participant_base = participant_base or default_participant_base()
        self.session: SessionRecord | None = None
        self.wanted = session_id
        self._seen: tuple[object, ...] = ()
        self.join = widgets.HTML()
        self.qr = widgets.HTML()
        self.now = widgets.HTML()
        self.view = widgets.VBox(
            [
                widgets.HTML(SCREEN_STYLE),
                widgets.HBox([self.join, self.qr], layout=widgets.Layout(justify_content="space-between")),
                self.now,
            ]
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
        """Redraw when the session, the section, the open poll or the counts changed."""
        if self.session is None or self.store.state(self.session.id).ended:
            self.session = self._find_session()
            if self.session is None:
                self._seen = ()
                self.join.value = "<h1>The workshop will begin shortly</h1>"
                self.qr.value = ""
                self.now.value = ""
                return
        session = self.session
        state = self.store.state(session.id)
        count = len(self.store.answers(session.id, state.open_poll)) if state.open_poll else 0
        seen = (session.id, state.version, count)
        if seen == self._seen:
            return
        if not self._seen or self._seen[0] != session.id:
            url = participant_url(self.participant_base, session.join_code)
            self.join.value = (
                f"<h1>{html.escape(session.module.title)}</h1>"
                f'<div>Join with the code <span class="join-code">{session.join_code}</span></div>'
                f'<div class="address">{html.escape(url)}</div>'
            )
            self.qr.value = qr_svg(url, scale=10)
        self._seen = seen
        record = self.store.session(session.id)
        parts = []
        if record.current_section:
            parts.append(f"<h2>{html.escape(session.module.section(record.current_section).title)}</h2>")
        if state.open_poll:
            poll = session.module.poll(state.open_poll)
            answered = f"{count} answer" + ("" if count == 1 else "s")
            parts.append(f"<p><b>{html.escape(poll.prompt)}</b></p>")
            parts.append(f'<p class="count">{answered} so far · answer on your phone</p>')
        self.now.value = "".join(parts)

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
