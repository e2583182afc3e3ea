"""The participant's page: join by code, see the facilitator's current section and open poll, answer.

Phone first and lean: this runs in one kernel per phone, so it imports ipywidgets and the store only (no
Plotly, no YAML). It follows the session by polling one row of the store and redraws only on a change,
so an idle page sends nothing and its kernel can be culled once the tab is gone.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import random
import secrets
import threading
from collections.abc import Callable
from urllib.parse import parse_qs

import ipywidgets as widgets

from workshop.bars import BARS_STYLE, results_html
from workshop.content import Poll
from workshop.device import DeviceKey
from workshop.errors import AnswerRefused, JoinError, WorkshopError
from workshop.following import follow
from workshop.language import Words
from workshop.prose import to_html
from workshop.reveal import for_room, standing
from workshop.store import SessionRecord, SessionState, Store

log = logging.getLogger(__name__)

# Sizes a thumb can hit and a tired eye can read: 18 px text, 48 px targets, nothing wider than the phone.
PAGE_STYLE = """
<style>
.workshop-participant { max-width: 560px; margin: 0 auto; padding: 12px; box-sizing: border-box;
  font-size: 18px; line-height: 1.45; width: 100%; }
.workshop-participant * { box-sizing: border-box; }
.workshop-participant .widget-html-content { font-size: 18px; line-height: 1.45; white-space: normal; }
.workshop-participant h1 { font-size: 24px; margin: 4px 0 8px; }
.workshop-participant h2 { font-size: 21px; margin: 12px 0 4px; }
.workshop-participant .jupyter-button, .workshop-participant .widget-toggle-button {
  font-size: 18px; min-height: 48px; height: auto; white-space: normal; padding: 8px 12px; }
.workshop-participant textarea { font-size: 18px; min-height: 120px; }
.workshop-participant .workshop-results { border-top: 2px solid #ddd; margin-top: 16px; }
.workshop-participant input[type=text] { font-size: 22px; height: 48px; letter-spacing: 3px;
  text-transform: uppercase; }
.workshop-participant .workshop-message { padding: 8px 12px; border-radius: 6px; }
.workshop-participant .workshop-ok { background: #e6f4ea; }
.workshop-participant .workshop-problem { background: #fdecea; }
.workshop-participant .workshop-ends { display: flex; justify-content: space-between; font-size: 16px; }
body { overflow-x: hidden; }
</style>
"""


def full_width() -> widgets.Layout:
    """A fresh layout each time: a Layout shared by widgets would hide them all with one."""
    return widgets.Layout(width="100%", max_width="100%")


def _message(text: str, kind: str = "") -> str:
    css = f"workshop-message workshop-{kind}" if kind else "workshop-message"
    return f'<div class="{css}" role="status">{html.escape(text, quote=False)}</div>'


class ParticipantPage:
    """One participant's view; `view` is what Voila shows."""

    def __init__(
        self,
        store: Store,
        *,
        code: str = "",
        interval: float = 0.5,
        on_session_end: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.interval = interval
        self.on_session_end = on_session_end
        self.session: SessionRecord | None = None
        self.participant_id: int | None = None
        self.poll: Poll | None = None
        self.ended = False
        self._shown_version: int | None = None
        self._poll_drawn = False  # "no poll open" must be drawn too, the first time
        self._results_seen: object = None
        self._task: asyncio.Task[None] | None = None
        # Until a session is found its module's language is unknown: the kit's default until then.
        self.words = Words()
        say = self.words

        self.device = DeviceKey()
        self.device.observe(lambda _change: self._register(), "key")
        self.heading = widgets.HTML(f"<h1>{html.escape(say('participant.heading'))}</h1>")
        self.message = widgets.HTML(_message(say("participant.type-code")))
        self.code_input = widgets.Text(placeholder=say("participant.code-placeholder"), layout=full_width())
        # Enter (or leaving the field) joins too; the Join button is there for those who look for it.
        self.code_input.continuous_update = False
        self.code_input.observe(lambda change: self.enter_code(str(change["new"])), "value")
        self.join_button = widgets.Button(
            description=say("participant.join"), button_style="primary", layout=full_width()
        )
        self.join_button.on_click(lambda _button: self.enter_code(self.code_input.value))
        self.join_box = widgets.VBox([self.code_input, self.join_button], layout=full_width())
        self.section = widgets.HTML()
        self.poll_box = widgets.VBox(layout=full_width())
        self.choices: list[widgets.ToggleButton] = []
        self.choice_values: list[str | int] = []
        self.text_input = widgets.Textarea(placeholder=say("participant.write-here"), layout=full_width())
        self.results = widgets.HTML()
        self.results.add_class("workshop-results")
        self.send_button = widgets.Button(description=say("participant.send"), button_style="success")
        self.send_button.layout = full_width()
        self.send_button.on_click(lambda _button: self.send())
        self.view = widgets.VBox(
            [
                widgets.HTML(PAGE_STYLE + BARS_STYLE),
                self.heading,
                self.message,
                self.join_box,
                self.section,
                self.poll_box,
                self.results,
                self.device,
            ],
            layout=full_width(),
        )
        self.view.add_class("workshop-participant")
        if code:
            self.enter_code(code)

    # Joining -------------------------------------------------------------------------------------

    def enter_code(self, code: str) -> None:
        """Find the session by its join code; the device joins once its key has arrived."""
        if self.session is not None:
            return  # already joined (Enter and the Join button both ask)
        try:
            self.session = self.store.session_by_code(code)
        except JoinError as error:
            self.message.value = _message(self.words.error(error), "problem")
            return
        self._speak(self.session.module.language)
        self.join_box.layout.display = "none"
        self.heading.value = f"<h1>{html.escape(self.session.module.title)}</h1>"
        self.message.value = _message(self.words("participant.joining"))
        self._register()

    def _speak(self, language: str) -> None:
        """Say everything from now on in the session's language, the buttons too."""
        self.words = Words(language)
        self.send_button.description = self.words("participant.send")
        self.text_input.placeholder = self.words("participant.write-here")

    def _register(self) -> None:
        if self.session is None or self.participant_id is not None or not self.device.key:
            return
        try:
            self.participant_id = self.store.join(self.session.id, self.device.key)
        except JoinError as error:
            self.message.value = _message(self.words.error(error), "problem")
            return
        self.refresh()

    # Following the facilitator -------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw what changed since the last look at the store; nothing when nothing changed."""
        if self.session is None or self.participant_id is None or self.ended:
            return
        state = self.store.state(self.session.id)
        if state.version == self._shown_version:
            if state.revealed_poll and state.revealed_poll == state.open_poll:
                self._show_results(state)  # a live poll on show: its bars move as answers arrive
            return
        self._shown_version = state.version
        if state.ended:
            self._end()
            return
        module = self.session.module
        record = self.store.session(self.session.id)
        if record.current_section:
            current = module.section(record.current_section)
            self.section.value = f"<h2>{html.escape(current.title)}</h2>{to_html(current.text)}"
        open_poll = module.poll(state.open_poll) if state.open_poll else None
        if open_poll != self.poll or not self._poll_drawn:
            self._show_poll(open_poll)
        self._show_results(state)

    def _show_results(self, state: SessionState) -> None:
        """The revealed poll's results as light HTML bars: the same numbers as the screen, no Plotly."""
        assert self.session is not None
        if state.revealed_poll is None:
            self._results_seen = None
            self.results.value = ""
            return
        session = self.session
        poll = session.module.poll(state.revealed_poll)
        results = self.store.results(session.id, poll.id)
        statuses = {state.open_poll: "open"} if state.open_poll else {}
        stands = standing(session.module, poll, statuses)
        showing = for_room(stands, True, results.respondents, session.min_group_size, self.words)
        texts = (
            self.store.approved_texts(session.id, poll.id) if poll.kind == "text" and showing.results else []
        )
        seen = (results, showing, texts)
        if seen == self._results_seen:
            return
        self._results_seen = seen
        self.results.value = results_html(results, showing, session.min_group_size, self.words, texts)

    def _show_poll(self, poll: Poll | None) -> None:
        self.poll = poll
        self._poll_drawn = True
        if poll is None:
            self.poll_box.children = ()
            self.message.value = _message(self.words("participant.waiting"))
            return
        if poll.kind == "text":
            self._show_text_poll(poll)
            return
        values: list[str | int] = list(poll.options) if poll.kind != "scale" else list(poll.scale_points)
        if poll.kind != "scale" and self.session is not None and self.session.module.shuffle_options:
            # This device's own order, the same after a reload: a partner's glance tells nothing.
            random.Random(f"{self.device.key}:{poll.id}").shuffle(values)
        self.choice_values = values
        self.choices = []
        for value in values:
            toggle = widgets.ToggleButton(description=str(value), layout=full_width())
            if poll.kind == "scale":
                toggle.layout = widgets.Layout(width="auto", min_width="48px", flex="1 1 0")
            if poll.kind != "multiple":
                toggle.observe(self._keep_one, "value")
            self.choices.append(toggle)
        if poll.kind == "scale":
            ends = (
                f'<div class="workshop-ends"><span>{poll.min}: {html.escape(poll.min_label)}</span>'
                f"<span>{poll.max}: {html.escape(poll.max_label)}</span></div>"
            )
            choice_area: list[widgets.Widget] = [
                widgets.HBox(self.choices, layout=widgets.Layout(width="100%", flex_flow="row wrap")),
                widgets.HTML(ends),
            ]
        else:
            choice_area = [widgets.VBox(self.choices, layout=full_width())]
        hint = ""
        if poll.kind == "multiple":
            hint = (
                self.words("participant.tick-all")
                if poll.max_picks is None
                else self.words("participant.tick-up-to", n=poll.max_picks)
            )
        prompt = f"<h2>{html.escape(poll.prompt)}</h2>" + (f"<p>{html.escape(hint)}</p>" if hint else "")
        self.poll_box.children = (widgets.HTML(prompt), *choice_area, self.send_button)
        self._say_whether_answered(poll)

    def _show_text_poll(self, poll: Poll) -> None:
        self.choices, self.choice_values = [], []
        self.text_input.value = ""
        hint = f"<p>{html.escape(self.words('participant.text-hint', n=poll.max_length))}</p>"
        prompt = f"<h2>{html.escape(poll.prompt)}</h2>{hint}"
        self.poll_box.children = (widgets.HTML(prompt), self.text_input, self.send_button)
        self._say_whether_answered(poll)

    def _say_whether_answered(self, poll: Poll) -> None:
        answered = self.participant_id is not None and self.store.has_answered(self.participant_id, poll.id)
        if answered:
            # Never echo the answer back: a partner glancing over should learn nothing.
            self.message.value = _message(self.words("participant.received"), "ok")
        else:
            self.message.value = _message(self.words("participant.opened"))

    def _keep_one(self, change: dict[str, object]) -> None:
        """Single choice and scale: ticking one option unticks the others."""
        if change["new"]:
            for toggle in self.choices:
                if toggle is not change["owner"]:
                    toggle.value = False

    def selected(self) -> object:
        """The answer as the page's widgets state it (which a forged page may have bent)."""
        assert self.poll is not None
        if self.poll.kind == "text":
            return self.text_input.value
        picked = [v for v, toggle in zip(self.choice_values, self.choices, strict=True) if toggle.value]
        if self.poll.kind == "multiple":
            return picked
        return picked[0] if len(picked) == 1 else None

    def send(self) -> None:
        """Send the selected answer; the store decides whether it is accepted."""
        if self.session is None or self.participant_id is None or self.poll is None:
            return
        try:
            self.store.record_answer(self.session.id, self.participant_id, self.poll.id, self.selected())
        except AnswerRefused as error:
            self.message.value = _message(self.words.error(error), "problem")
            return
        except WorkshopError as error:
            problem = self.words.error(error)
            self.message.value = _message(self.words("participant.send-again", problem=problem), "problem")
            return
        for toggle in self.choices:
            toggle.value = False
        self.text_input.value = ""  # sent: nothing left on the screen for a neighbour to read
        self.message.value = _message(self.words("participant.received"), "ok")

    def _end(self) -> None:
        self.ended = True
        self.poll = None
        self.poll_box.children = ()
        self.section.value = ""
        self.results.value = ""
        self.message.value = _message(self.words("participant.ended"), "ok")
        if self.on_session_end:
            self.on_session_end()

    def _lost_the_store(self) -> None:
        self.message.value = _message(self.words("participant.reconnecting"), "problem")
        self._shown_version = None  # redraw everything once the store answers again

    def start(self) -> None:
        """Follow the session until it ends."""
        self._task = follow(
            self.refresh,
            self.interval,
            what="participant page",
            while_=lambda: not self.ended,
            on_error=self._lost_the_store,
        )


def end_this_kernel(delay: float = 2.0) -> None:
    """Ask this kernel's Voila server to shut the kernel down, once the last message is out.

    A kernel that ends its own process would be restarted by the server; asking the server to
    shut it down (Voila's own beforeunload route) ends it for good and frees its memory.
    """
    port = os.environ.get("SERVER_PORT")
    if not port:
        return  # not under Voila (a test or JupyterLab): nothing to end
    from urllib.request import Request, urlopen

    from ipykernel.connect import get_connection_file

    kernel_id = os.path.basename(get_connection_file())[len("kernel-") : -len(".json")]
    url = f"http://127.0.0.1:{port}/voila/api/shutdown/{kernel_id}"

    def shut_down() -> None:
        try:
            # The server wants a matching XSRF cookie and header (double submit); any value will do.
            xsrf = secrets.token_hex(16)
            headers = {"Cookie": f"_xsrf={xsrf}", "X-XSRFToken": xsrf}
            urlopen(Request(url, method="POST", headers=headers), timeout=5).close()
        except OSError:
            log.warning("could not ask Voila to end kernel %s", kernel_id)

    threading.Timer(delay, shut_down).start()


def show_participant_page(store: Store | None = None) -> ParticipantPage | None:
    """What `participant.ipynb` runs: the page for the code in the address, following the session."""
    from IPython.display import display

    query = parse_qs(os.environ.get("QUERY_STRING", ""))
    code = (query.get("code") or [""])[0]
    try:
        store = store or Store(create=False)
    except WorkshopError as error:
        log.error("participant page cannot reach the store: %s", error)
        display(widgets.HTML(_message(Words()("participant.unavailable"), "problem")))
        return None
    page = ParticipantPage(store, code=code, on_session_end=end_this_kernel)
    display(page.view)
    page.start()
    return page
