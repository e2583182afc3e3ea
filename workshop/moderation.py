"""The console's moderation queue for open-text answers: nothing a participant writes reaches the room
until the facilitator approves it, and answers with safety words need a second, deliberate click.

The facilitator reads the answers only once the question has closed and enough people have answered:
a text appearing as someone taps Send would say who wrote it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from workshop.content import Poll, Review
from workshop.language import Words
from workshop.reveal import Standing, policy_of
from workshop.store import Store, TextAnswer

QUEUE_STYLE = """
<style>
.workshop-queue .answer-row { border-top: 1px solid #ddd; padding: 6px 0; align-items: center; }
.workshop-queue .answer-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.workshop-queue .flagged { background: #fdecea; border-left: 4px solid #D55E00; padding: 4px 8px; }
.workshop-queue .approved { color: #006644; }
.workshop-queue .rejected { color: #777; text-decoration: line-through; }
</style>
"""


class ModerationQueue:
    """Approve or reject one open-text poll's answers; `view` sits under the console's poll controls."""

    def __init__(self, store: Store, *, on_change: Callable[[], None]) -> None:
        self.store = store
        self.on_change = on_change
        self.words = Words()  # the console sets the session's language
        self.session_id: int | None = None
        self.poll: Poll | None = None
        self.summary = widgets.HTML()
        self.approve_all = widgets.Button(button_style="success")
        self.approve_all.layout.width = "auto"
        self.approve_all.on_click(lambda _b: self._approve_unflagged())
        self.rows = widgets.VBox()
        self.pending: list[TextAnswer] = []
        # Flagged answers whose Approve was clicked once, so the next click approves. Kept across redraws
        # by text: an answer its writer has replaced since is asked about afresh.
        self.confirm_asked: set[tuple[int | None, str, int, str]] = set()
        self._drawn: tuple[object, ...] = ()
        self.view = widgets.VBox([widgets.HTML(QUEUE_STYLE), self.summary, self.approve_all, self.rows])
        self.view.add_class("workshop-queue")

    def show(
        self, session_id: int, poll: Poll, answers: list[TextAnswer], standing: Standing, min_group_size: int
    ) -> None:
        """Redraw the queue: the answers once the poll has closed with enough of them, else only counts."""
        drawn = (session_id, poll.id, tuple(answers), standing, min_group_size)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        self.session_id, self.poll = session_id, poll
        self.confirm_asked &= {self._key(poll, a) for a in answers if a.review == "pending"}
        say = self.words
        self.approve_all.description = say("queue.approve-all")
        counted = say.answers(len(answers))
        approved = sum(1 for a in answers if a.review == "approved")
        flagged = sum(1 for a in answers if a.flags) if not standing.open else 0
        more = min_group_size - len(answers)
        readable = not standing.open and more <= 0
        lines = [f"<h4>{html.escape(poll.prompt)}</h4>"]
        if standing.open:
            line = say("queue.read-when-closed", answers=counted)
        elif more > 0:
            line = say("queue.unread", answers=counted, more=more, minimum=min_group_size)
        else:
            line = say("queue.approved", answers=counted, approved=approved)
        lines.append(f"<p>{html.escape(line)}</p>")
        if policy_of(poll) == "never":
            lines.append(f"<p>{html.escape(say('queue.never'))}</p>")
        if flagged:
            # Said once the poll has closed even when the texts stay unread: the facilitator may want to
            # offer everyone a private word. Not while it is open, when it would point at the last tap.
            lines.append(f'<p class="flagged">{html.escape(say("queue.flagged", n=flagged))}</p>')
            lines.append(f'<p class="what-now">{html.escape(say("queue.what-now"))}</p>')
        self.summary.value = "".join(lines)
        if not readable:
            self.pending = []
            self.approve_all.layout.display = "none"
            self.rows.children = ()
            return
        self.pending = [a for a in answers if a.review == "pending" and not a.flags]
        self.approve_all.layout.display = None if self.pending else "none"
        order = {"pending": 0, "approved": 1, "rejected": 2}
        ordered = sorted(answers, key=lambda a: (order[a.review], not a.flags))
        self.rows.children = [self._row(answer) for answer in ordered]

    def _row(self, answer: TextAnswer) -> widgets.Widget:
        shown = self.words("queue.wiped") if answer.review == "rejected" else answer.text
        text = f'<div class="answer-text {answer.review}">{html.escape(shown)}</div>'
        if answer.flags:
            named = ", ".join(self.words(f"safety.{flag}") for flag in answer.flags)
            found = self.words("queue.contains", words=named)
            text = f'<div class="flagged">{html.escape(found)}{text}</div>'
        buttons: list[widgets.Button] = []
        if answer.review == "pending":  # a rejected text's words are gone: there is nothing left to approve
            asked = self._key(self.poll, answer) in self.confirm_asked
            approve = widgets.Button(
                description=self.words("queue.confirm" if asked else "queue.approve"),
                button_style="danger" if asked else "success",
            )
            approve.on_click(lambda b, a=answer, p=self.poll: self._approve(b, p, a))
            buttons.append(approve)
        if answer.review != "rejected":
            undo = "queue.reject" if answer.review == "pending" else "queue.take-back"
            reject = widgets.Button(description=self.words(undo))
            reject.on_click(lambda _b, a=answer, p=self.poll: self._decide(p, a, "rejected"))
            buttons.append(reject)
        for button in buttons:
            button.layout.width = "auto"
        row = widgets.HBox(
            [widgets.HTML(text, layout=widgets.Layout(flex="1 1 auto")), *buttons],
            layout=widgets.Layout(width="100%"),
        )
        row.add_class("answer-row")
        return row

    def _approve(self, button: widgets.Button, poll: Poll | None, answer: TextAnswer) -> None:
        """A flagged answer is approved only on a second click, after the facilitator has read it."""
        key = self._key(poll, answer)
        if answer.flags and key not in self.confirm_asked:
            self.confirm_asked.add(key)
            button.description = self.words("queue.confirm")
            button.button_style = "danger"
            return
        self.confirm_asked.discard(key)
        self._decide(poll, answer, "approved")

    def _key(self, poll: Poll | None, answer: TextAnswer) -> tuple[int | None, str, int, str]:
        return (self.session_id, poll.id if poll else "", answer.participant_id, answer.text)

    def _approve_unflagged(self) -> None:
        for answer in self.pending:
            self._decide(self.poll, answer, "approved", redraw=False)
        self.on_change()

    def _decide(self, poll: Poll | None, answer: TextAnswer, review: Review, *, redraw: bool = True) -> None:
        """Record a decision about the answer as it was shown, for the poll it was shown under."""
        if self.session_id is None or poll is None:
            return
        # If the writer replaced the text since it was shown, nothing changes and the queue redraws.
        self.store.moderate(self.session_id, poll.id, answer.participant_id, answer.text, review)
        if redraw:
            self.on_change()
