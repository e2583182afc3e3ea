"""The facilitator's console: start or resume a session, run the agenda, open, close and reveal polls,
moderate open-text answers and watch results.

Runs on the facilitator's server only (loopback, token). One asyncio task per console looks at the store
a few times a second and redraws the chart only when something changed.
"""

from __future__ import annotations

import asyncio
import html
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from workshop.charts import draw_results, first_chart, new_poll_figure
from workshop.content import Module, Poll, find_module, find_modules, load_module
from workshop.errors import WorkshopError
from workshop.following import follow
from workshop.joining import Door
from workshop.language import Words
from workshop.moderation import ModerationQueue
from workshop.polls import Results
from workshop.prose import to_html
from workshop.reveal import Showing, for_facilitator, policy_of, standing
from workshop.sessions import lan_address, participant_url, qr_svg
from workshop.store import SessionRecord, Store, TextAnswer
from workshop.support import load_contacts, support_file

if TYPE_CHECKING:
    import plotly.graph_objects as go

CONSOLE_STYLE = """
<style>
.workshop-console { font-size: 16px; }
.workshop-console .widget-html-content { font-size: 16px; line-height: 1.45; }
.workshop-console .join-code { font-size: 40px; font-weight: bold; letter-spacing: 6px; }
.workshop-console .notes { background: #fffbe6; border-left: 4px solid #E69F00; padding: 4px 14px; }
.workshop-console .before { background: #f3f7fb; border-left: 4px solid #0072B2; padding: 4px 14px;
  max-width: 60em; }
.workshop-console .safety { background: #fdf0e6; border-left: 4px solid #D55E00; padding: 4px 14px; }
.workshop-console .requests { background: #e8f1fa; padding: 6px 10px; border-radius: 4px; }
.workshop-console .what-now { background: #fdf0e6; padding: 6px 10px; border-radius: 4px; }
.workshop-console .problem { background: #fdecea; padding: 6px 10px; border-radius: 4px; }
.workshop-console .counts { font-size: 18px; }
.workshop-console select { font-size: 16px; }
.workshop-console .poll-row { border-top: 1px solid #ddd; padding: 6px 0; align-items: center;
  flex-wrap: wrap; gap: 4px; }
/* A laptop's 1366 px must show every control's whole word: buttons are as wide as their caption. */
.workshop-console .poll-row .jupyter-button { flex: 0 0 auto; min-width: max-content; overflow: visible; }
.workshop-console a { color: #0b57d0; text-decoration: underline; }
.workshop-console .workshop-chart > * { flex: 1 1 auto; width: 100%; }
.workshop-console .on-screen { background: #e6f4ea; padding: 1px 6px; border-radius: 4px; }
</style>
"""


@lru_cache(maxsize=256)
def _title(path: Path, _modified: int) -> str:
    """A module's title, read again only when its file changes (every module is checked to list it)."""
    return load_module(path).title


def default_participant_base() -> str:
    """Where phones reach the participant server: set by `workshop serve`, else this machine's LAN."""
    return os.environ.get("WORKSHOP_PARTICIPANT_URL") or f"http://{lan_address()}:8866"


class Console:
    """The facilitator's console; `view` is what Voila shows."""

    def __init__(
        self,
        store: Store,
        *,
        module_folders: list[Path] | None = None,
        participant_base: str | None = None,
        interval: float = 0.3,
        resume_running: bool = False,
    ) -> None:
        self.store = store
        self.module_folders = module_folders
        self.participant_base = participant_base or default_participant_base()
        self.interval = interval
        self.session: SessionRecord | None = None
        self.chart_poll: Poll | None = None
        self.reading_ahead: threading.Thread | None = None  # the disclosure detector, loading
        self._seen: tuple[object, ...] = ()
        self._task: asyncio.Task[None] | None = None
        # The kit's default language until a session is chosen; then its module's.
        self.words = say = Words()

        self.message = widgets.HTML()
        # Starting or resuming.
        self.module_choice = widgets.Dropdown(description=say("console.module"), options=self._modules())
        self.group_size = widgets.BoundedIntText(value=5, min=1, max=50, description=say("console.min-group"))
        # Asked at the start: more devices than people is how ballot stuffing shows itself.
        self.expected_people = widgets.BoundedIntText(
            value=20, min=1, max=5000, description=say("console.expected")
        )
        self.start_button = widgets.Button(description=say("console.start"), button_style="primary")
        self.start_button.on_click(lambda _b: self.start_session())
        self.resume_choice = widgets.Dropdown(description=say("console.running"), options=[])
        self.resume_button = widgets.Button(description=say("console.resume"))
        self.resume_button.on_click(lambda _b: self.resume_session())
        # What the programme's violence protocol asks of the facilitator, on the screen they start from.
        self.before_view = widgets.HTML()
        self.module_choice.observe(lambda _change: self._draw_before(), "value")
        self._draw_before()
        self.setup_box = widgets.VBox(
            [
                widgets.HTML(f"<h2>{html.escape(say('console.start-heading'))}</h2>"),
                widgets.HBox([self.module_choice, self.group_size, self.expected_people, self.start_button]),
                widgets.HBox([self.resume_choice, self.resume_button]),
                self.before_view,
            ]
        )
        self._list_running()
        # Running a session.
        self.join_info = widgets.HTML()
        self.qr = widgets.HTML()
        self.counts = widgets.HTML()
        # What phones asked for privately (private-word codes, pauses), and the support-contacts warning.
        self.requests_view = widgets.HTML()
        self.support_view = widgets.HTML()
        self.end_button = widgets.Button(description=say("console.end"), button_style="danger")
        self.end_button.on_click(lambda _b: self._end_clicked())
        self._end_asked = False  # the first click on End only asks for a second
        # Back to the start screen with this session still running (it stays listed to resume).
        self.another_button = widgets.Button(description=say("console.start-another"))
        self.another_button.on_click(lambda _b: self._leave_session())
        self.door = Door(store, say)
        # The module's full length, or its short path: the agenda lists only that path's sections.
        self.path_choice = widgets.ToggleButtons(options=[("Full", "full")])
        self.path_choice.observe(lambda _change: self._fill_agenda(), "value")
        self.agenda_heading = widgets.HTML()
        self.agenda = widgets.Select(description="", rows=10, layout=widgets.Layout(width="100%"))
        self.agenda.observe(self._on_agenda_pick, "value")
        self._filling = False
        self.section_view = widgets.HTML()
        self.poll_controls = widgets.VBox()
        self._figure: go.FigureWidget | None = None  # made when first charted: see `figure`
        # A FigureWidget's `layout` is Plotly's, so a box around it is what hides it for open text.
        self.figure_box = widgets.Box([], layout=widgets.Layout(width="100%"))
        self.figure_box.add_class("workshop-chart")
        self.moderation = ModerationQueue(store, on_change=self._after_moderation)
        self.moderation.view.layout.display = "none"
        left = widgets.VBox(
            [
                self.agenda_heading,
                self.path_choice,
                self.agenda,
                self.poll_controls,
                self.figure_box,
                self.moderation.view,
            ],
            layout=widgets.Layout(width="55%"),
        )
        right = widgets.VBox([self.section_view], layout=widgets.Layout(width="45%", padding="0 0 0 16px"))
        self.session_box = widgets.VBox(
            [
                widgets.HBox(
                    [
                        self.join_info,
                        self.qr,
                        widgets.VBox(
                            [
                                self.counts,
                                self.door.view,
                                self.requests_view,
                                self.end_button,
                                self.another_button,
                            ]
                        ),
                    ],
                    layout=widgets.Layout(justify_content="space-between", align_items="center"),
                ),
                self.support_view,
                widgets.HBox([left, right], layout=widgets.Layout(width="100%")),
            ],
            layout=widgets.Layout(display="none"),
        )
        self.view = widgets.VBox(
            [widgets.HTML(CONSOLE_STYLE), self.message, self.setup_box, self.session_box]
        )
        self.view.add_class("workshop-console")
        if resume_running and self.resume_choice.value is not None:
            # After a crash or a restart the facilitator comes back to the room as it was.
            self.resume_session()
            assert self.session is not None
            resumed = self.words("console.resumed", code=self.session.join_code)
            self.message.value = f"<p>{html.escape(resumed)}</p>"

    @property
    def figure(self) -> go.FigureWidget:
        """The chart, made the first time a poll is charted.

        Plotly's first FigureWidget costs the kernel ~1.4 s and ~45 MB and sends the page a 5 MB script:
        the start screen, and a session before any poll, come up without it.
        """
        if self._figure is None:
            self._figure = new_poll_figure()
            self.figure_box.children = (self._figure,)
        return self._figure

    # Sessions ------------------------------------------------------------------------------------

    def _draw_before(self) -> None:
        """The before-the-session checklist, in the chosen module's language."""
        from workshop.guide import BEFORE

        try:
            chosen = (
                find_module(self.module_choice.value, self.module_folders)
                if self.module_choice.value
                else None
            )
        except WorkshopError:
            chosen = None
        say = Words(chosen.language) if chosen else self.words
        steps = "".join(f"<li>{html.escape(say(f'guide.before-{step}'))}</li>" for step in BEFORE)
        self.before_view.value = (
            f'<div class="before"><h3>{html.escape(say("guide.before-session"))}</h3>'
            f"<p>{html.escape(say('guide.before-intro'))}</p><ul>{steps}</ul></div>"
        )

    def _modules(self) -> list[tuple[str, str]]:
        """The picker's choices: "Title (id)" to read, the id as the value, in the order of the titles."""
        choices = []
        for module_id, path in find_modules(self.module_folders).items():
            try:
                label = f"{_title(path, path.stat().st_mtime_ns)} ({module_id})"
            except WorkshopError:  # Start says what is wrong with it, line by line
                label = self.words("console.module-unreadable", id=module_id)
            choices.append((label, module_id))
        return sorted(choices, key=lambda choice: choice[0].casefold())

    def _list_running(self) -> None:
        options = [
            (f"{s.join_code} · {s.module.title} · {s.started_at:%d %b %H:%M}", s.id)
            for s in self.store.running_sessions()
        ]
        self.resume_choice.options = options
        # The most recent running session, ready to resume after a crash or a restart.
        self.resume_choice.value = options[0][1] if options else None

    def start_session(self) -> None:
        try:
            module: Module = find_module(self.module_choice.value, self.module_folders)
            found = support_file(self.module_folders)
            support = load_contacts(found) if found else ()
            record = self.store.start_session(
                module,
                min_group_size=self.group_size.value,
                support=support,
                expected_people=self.expected_people.value,
            )
        except WorkshopError as error:
            self._problem(str(error))
            return
        self._show_session(record)

    def resume_session(self) -> None:
        if self.resume_choice.value is None:
            self._problem(self.words("console.nothing-to-resume"))
            return
        self._show_session(self.store.session(self.resume_choice.value))

    def _end_clicked(self) -> None:
        """Ending a session ends it on every phone: the first click only asks for a second."""
        if not self._end_asked:
            self._end_asked = True
            self.end_button.description = self.words("console.end-confirm")
            return
        self._end_asked = False
        self.end_button.description = self.words("console.end")
        self.end_session()

    def end_session(self) -> None:
        if self.session is None:
            return
        self.store.end_session(self.session.id)
        ended = self.words("console.ended", code=self.session.join_code)
        self._leave_session()
        self.message.value = f"<p>{html.escape(ended)}</p>"

    def _leave_session(self) -> None:
        """Back to the start screen; a session left running can be resumed from there."""
        self.message.value = ""
        self.session = None
        self.chart_poll = None
        self.join_info.value = self.qr.value = ""  # nothing of this session's stays on the page
        self.figure_box.layout.display = "none"
        self.session_box.layout.display = "none"
        self.setup_box.layout.display = None
        self._list_running()

    def _show_session(self, record: SessionRecord) -> None:
        self.session = record
        self.words = say = Words(record.module.language)
        self.moderation.words = say
        self.end_button.description = say("console.end")
        self._end_asked = False
        self.door.show(record, say)
        self.agenda_heading.value = f"<h3>{html.escape(say('console.agenda'))}</h3>"
        self.message.value = ""
        url = participant_url(self.participant_base, record.join_code)
        self.join_info.value = (
            f"<h2>{html.escape(record.module.title)}</h2>"
            f"<div>{html.escape(say('console.join-code'))} "
            f'<span class="join-code">{record.join_code}</span></div>'
            f"<div>{html.escape(say('console.phones-open'))} "
            f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a></div>'
            # Relative to this page on the same token-protected server; the login cookie carries over.
            f'<div><a href="screen.ipynb?session={record.id}" target="_blank">'
            f"{html.escape(say('console.open-screen'))}</a></div>"
        )
        self.qr.value = qr_svg(url, scale=4)
        if self.store.support(record.id):
            self.support_view.value = ""
        else:  # said on every start until contacts are set: someone in the room may need them today
            self.support_view.value = f'<p class="problem">{html.escape(say("console.no-support"))}</p>'
        module = record.module
        paths = [(say("console.full", minutes=module.duration), "full")]
        if module.short_path:
            short = sum(module.section(s).minutes for s in module.short_path)
            paths.append((say("console.short", minutes=short), "short"))
        self._filling = True
        self.path_choice.options = paths
        self.path_choice.value = "full"
        self._filling = False
        self.path_choice.layout.display = None if module.short_path else "none"
        self._fill_agenda()
        self.setup_box.layout.display = "none"
        self.session_box.layout.display = None
        self._seen = ()
        # Resumed mid-session: chart at once what the room is on (the open or revealed poll, else the
        # current section's last poll asked).
        state = self.store.state(record.id)
        statuses = self.store.poll_statuses(record.id)
        asked = [p for p in module.section(self._current_section()).polls if p in statuses]
        shown = state.open_poll or state.revealed_poll or (asked[-1] if asked else None)
        self.chart_poll = module.poll(shown) if shown else None
        if any(poll.kind == "text" for poll in module.polls):
            self.reading_ahead = read_ahead(module)
        self._draw_section()
        self.refresh()

    # Agenda and polls ----------------------------------------------------------------------------

    def _fill_agenda(self) -> None:
        """List the chosen path's sections; switching paths moves nobody to another section."""
        if self.session is None or self._filling:
            return
        module = self.session.module
        wanted = module.short_path if self.path_choice.value == "short" else [s.id for s in module.sections]
        current = self.store.session(self.session.id).current_section or module.sections[0].id
        self._filling = True
        try:
            self.agenda.options = [
                (
                    self.words(
                        "console.section-minutes",
                        title=module.section(s).title,
                        minutes=module.section(s).minutes,
                    ),
                    s,
                )
                for s in wanted
            ]
            self.agenda.value = current if current in wanted else None
        finally:
            self._filling = False

    def _on_agenda_pick(self, change: dict[str, object]) -> None:
        if self.session is None or change["new"] is None or self._filling:
            return
        self.store.set_section(self.session.id, str(change["new"]))
        self._draw_section()

    def _draw_section(self) -> None:
        assert self.session is not None
        section = self.session.module.section(self.agenda.value or self._current_section())
        say = self.words
        heading = say("console.section-minutes", title=section.title, minutes=section.minutes)
        # Safety first: the module's protocol on the opening section, then this section's own note.
        safety = [section.safety] if section.safety else []
        if section.id == self.session.module.sections[0].id and self.session.module.safety:
            safety.insert(0, self.session.module.safety)
        safety_html = "".join(
            f'<div class="safety"><b>{html.escape(say("console.safety"))}</b>{to_html(text)}</div>'
            for text in safety
        )
        self.section_view.value = (
            f"<h3>{html.escape(heading)}</h3>{safety_html}"
            f"<p><b>{html.escape(say('console.participants-see'))}</b></p>{to_html(section.text)}"
            f'<div class="notes"><b>{html.escape(say("console.notes"))}</b>{to_html(section.notes)}</div>'
        )
        self._draw_poll_controls()

    def _current_section(self) -> str:
        assert self.session is not None
        return self.store.session(self.session.id).current_section or self.session.module.sections[0].id

    def _draw_poll_controls(self) -> None:
        """One row per poll of the section: what it is, where it stands, and Open, Close, Reveal, Chart."""
        assert self.session is not None
        section = self.session.module.section(self.agenda.value or self._current_section())
        statuses = self.store.poll_statuses(self.session.id)
        revealed = self.store.state(self.session.id).revealed_poll
        say = self.words
        rows: list[widgets.Widget] = []
        for poll_id in section.polls:
            poll = self.session.module.poll(poll_id)
            status = statuses.get(poll_id, "not asked yet")
            buttons = {
                "open": self._poll_button(
                    "console.open", poll, button_style="success", disabled=status == "open"
                ),
                "close": self._poll_button("console.close", poll, disabled=status != "open"),
                "reveal": self._reveal_button(poll, status, revealed == poll_id),
                "chart": self._poll_button(
                    "console.answers" if poll.kind == "text" else "console.chart", poll
                ),
            }
            buttons["open"].on_click(lambda _b, p=poll: self.open_poll(p))
            buttons["close"].on_click(lambda _b, p=poll: self.close_poll(p))
            buttons["chart"].on_click(lambda _b, p=poll: self.show_chart(p))
            on_screen = f' · <span class="on-screen">{html.escape(say("console.on-screen"))}</span>'
            kind = "before-after" if poll.before else poll.kind
            state = {"open": "status.open", "closed": "status.closed"}.get(status, "status.not-asked")
            # The policy as enforced (a written answer is never live; a pair takes the stricter round's).
            policy = standing(self.session.module, poll, statuses).policy
            details = " · ".join([say(f"kind.{kind}"), say(f"policy.{policy}"), say(state)])
            label = widgets.HTML(
                f"<b>{html.escape(poll.prompt)}</b><br>"
                f"<small>{html.escape(details)}{on_screen if revealed == poll_id else ''}</small>",
                layout=widgets.Layout(flex="1 1 auto"),
            )
            row = widgets.HBox([label, *buttons.values()], layout=widgets.Layout(width="100%"))
            row.add_class("poll-row")
            rows.append(row)
        if not rows:
            rows.append(widgets.HTML(f"<p><i>{html.escape(say('console.no-polls'))}</i></p>"))
        self.poll_controls.children = rows

    def _poll_button(self, caption: str, poll: Poll, **style: object) -> widgets.Button:
        """A poll's control: its caption, and a tooltip that says in words what it does to which poll."""
        button = widgets.Button(
            description=self.words(caption), tooltip=self.words(f"{caption}-tip", prompt=poll.prompt), **style
        )
        button.layout.width = "auto"
        return button

    def _reveal_button(self, poll: Poll, status: str, on_screen: bool) -> widgets.Button:
        """Reveal to room, or Hide when it is showing; a facilitator-only poll cannot be revealed."""
        if on_screen:
            button = self._poll_button("console.hide", poll, icon="eye-slash")
            button.on_click(lambda _b: self.hide_results())
            return button
        if policy_of(poll) == "never":
            return self._poll_button("console.facilitator-only", poll, disabled=True)
        closing = policy_of(poll) == "after-close" and status == "open"
        button = self._poll_button(
            "console.close-reveal" if closing else "console.reveal", poll, button_style="info"
        )
        button.on_click(lambda _b: self.reveal_results(poll))
        return button

    def open_poll(self, poll: Poll) -> None:
        assert self.session is not None
        self.store.open_poll(self.session.id, poll.id)
        self.chart_poll = poll
        self._after_action()

    def close_poll(self, poll: Poll) -> None:
        assert self.session is not None
        self.store.close_poll(self.session.id, poll.id)
        self._after_action()

    def reveal_results(self, poll: Poll) -> None:
        """Put the poll's results on the screen and the phones (as far as the group size allows)."""
        assert self.session is not None
        try:
            self.store.reveal_poll(self.session.id, poll.id)
        except WorkshopError as error:
            self._problem(str(error))
            return
        self.chart_poll = poll
        self._after_action()

    def hide_results(self) -> None:
        assert self.session is not None
        self.store.hide_poll(self.session.id)
        self._after_action()

    def show_chart(self, poll: Poll) -> None:
        self.chart_poll = poll
        self.refresh()

    def _after_action(self) -> None:
        self.message.value = ""
        self._draw_poll_controls()
        self.refresh()

    def _after_moderation(self) -> None:
        self._seen = ()
        self.refresh()

    # Live view -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw counts, chart and moderation queue when anything changed since the last look."""
        if self.session is None:
            return
        session = self.session
        joined = self.store.joined_count(session.id)
        state = self.store.state(session.id)
        poll = self.chart_poll
        results = self.store.results(session.id, poll.id) if poll else None
        texts = self.store.text_answers(session.id, poll.id) if poll and poll.kind == "text" else None
        requests = self.store.requests(session.id)
        seen = (joined, state.version, results, texts, requests)
        if seen == self._seen:
            return
        if self._seen and self._seen[1] != state.version:
            self._draw_poll_controls()  # another tab, or the facilitator's own action, moved things on
        self._seen = seen
        try:
            self._draw(session, poll, results, texts, joined, requests)
        except Exception:
            self._seen = ()  # whatever went wrong (a busy database), draw it all again at the next look
            raise

    def _draw(
        self,
        session: SessionRecord,
        poll: Poll | None,
        results: Results | None,
        texts: list[TextAnswer] | None,
        joined: int,
        requests: tuple[list[str], int],
    ) -> None:
        say = self.words
        devices = say("console.devices", n=joined)
        answered = (
            say("console.answered", n=results.respondents) + " · "
            if poll and results and not poll.before
            else ""
        )
        minimum = say("console.minimum", n=session.min_group_size)
        counts = html.escape(answered + devices)
        self.counts.value = f'<p class="counts">{counts}<br><small>{html.escape(minimum)}</small></p>'
        self.requests_view.value = self._requests_html(*requests)
        self.door.refresh(joined)
        if poll is None or results is None:
            self.figure_box.layout.display = "none"  # no empty axes before a question is chosen
            return
        stands = standing(session.module, poll, self.store.poll_statuses(session.id))
        showing = for_facilitator(stands, results.respondents, session.min_group_size, say)
        is_text = texts is not None
        self._show_text_queue(is_text)
        if is_text:
            self.moderation.show(session.id, poll, texts or [], stands, session.min_group_size)
        else:
            self._draw_chart(results, showing)

    def _draw_chart(self, results: Results, showing: Showing) -> None:
        assert self.session is not None
        if self._figure is None:
            self._figure = first_chart("console", results, showing, self.session.min_group_size, self.words)
            self.figure_box.children = (self._figure,)
            return
        draw_results(self._figure, results, showing, self.session.min_group_size, self.words)

    def _requests_html(self, codes: list[str], pauses: int) -> str:
        """Private requests from phones: only the codes their askers hold, and how many want a pause."""
        say, lines = self.words, []
        if codes:
            shown = ", ".join(f"<strong>{html.escape(code)}</strong>" for code in codes)
            lines.append(f"{html.escape(say('console.private-words'))} {shown}")
        if pauses:
            lines.append(html.escape(say("console.pauses", n=pauses)))
        return f'<div class="requests">{"<br>".join(lines)}</div>' if lines else ""

    def _show_text_queue(self, is_text: bool) -> None:
        self.moderation.view.layout.display = None if is_text else "none"
        self.figure_box.layout.display = "none" if is_text else None

    def start(self) -> None:
        self._task = follow(self.refresh, self.interval, what="console")

    def _problem(self, text: str) -> None:
        self.message.value = f'<p class="problem">{html.escape(text)}</p>'


def read_ahead(module: Module) -> threading.Thread:
    """Load the disclosure detector for the module's language while the room is still joining.

    Its first read costs 2–3 CPU-seconds (the lemmatizers' dictionaries, the phrases, the second reader);
    without this it would fall on the facilitator's first look at the written answers. Reading an empty
    answer loads all of it; a look that comes while it loads waits for it (`safety._READING`).
    """
    from workshop.safety import flags

    thread = threading.Thread(
        target=flags, args=("", module.language, module.safety_words), name="read-ahead", daemon=True
    )
    thread.start()
    return thread


def show_console(store: Store | None = None) -> Console | None:
    """What `facilitator.ipynb` runs."""
    from IPython.display import display

    folders = [Path(p) for p in os.environ.get("WORKSHOP_MODULES", "").split(os.pathsep) if p]
    try:
        console = Console(store or Store(), module_folders=folders, resume_running=True)
    except WorkshopError as error:
        display(widgets.HTML(f'<p class="problem">{html.escape(str(error))}</p>'))
        return None
    display(console.view)
    console.start()
    return console
