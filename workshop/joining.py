"""The room's door on the console: how many people are expected, an alert when more devices join, and
closing joining once the room is in.

Each new device key counts as one more person. Someone with a few browsers could outvote the room, or
make up the minimum group size around a single partner's answer and read it from the result; the count
of devices against the count of people is what gives that away, and closing joining is what stops it.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from workshop.language import Words
from workshop.store import SessionRecord, Store


class Door:
    """People expected, the alert and the close-joining switch of a running session."""

    def __init__(self, store: Store, words: Words) -> None:
        self.store = store
        self.words = words
        self.session: SessionRecord | None = None
        self.closed = False
        self.expected = widgets.BoundedIntText(
            value=1, min=1, max=5000, description=words("console.expected")
        )
        self.expected.observe(self._on_expected, "value")
        self.switch = widgets.Button(description=words("console.close-joining"))
        self.switch.on_click(lambda _b: self.set_closed(not self.closed))
        self.status = widgets.HTML()
        self.alert = widgets.HTML()
        self._drawing = False
        self._joined = 0
        self.view = widgets.VBox([widgets.HBox([self.expected, self.switch]), self.status, self.alert])

    def show(self, record: SessionRecord, words: Words) -> None:
        """Follow a session just started or resumed, in its module's language."""
        self.session, self.words = record, words
        self.closed = record.joining_closed
        self._drawing = True
        try:
            self.expected.description = words("console.expected")
            self.expected.value = record.expected_people or 1
        finally:
            self._drawing = False
        self._draw_switch()

    def set_closed(self, closed: bool) -> None:
        """Close joining (known devices still come back) or open it again."""
        assert self.session is not None
        self.store.set_joining_closed(self.session.id, closed)
        self.closed = closed
        self._draw_switch()

    def refresh(self, joined: int) -> None:
        """Say so, plainly and at once, when more devices have joined than people are expected."""
        self._joined = joined
        expected = self.expected.value
        if self.session is not None and joined > expected:
            text = self.words("console.too-many-devices", joined=joined, expected=expected)
            self.alert.value = f'<p class="problem" role="alert">{html.escape(text)}</p>'
        else:
            self.alert.value = ""

    def _on_expected(self, change: dict[str, object]) -> None:
        if self.session is None or self._drawing:
            return
        self.store.set_expected_people(self.session.id, int(str(change["new"])))
        self.refresh(self._joined)

    def _draw_switch(self) -> None:
        say = self.words
        self.switch.description = say("console.open-joining" if self.closed else "console.close-joining")
        self.switch.button_style = "" if self.closed else "warning"
        state = say("console.joining-closed" if self.closed else "console.joining-open")
        self.status.value = f"<small>{html.escape(state)}</small>"
