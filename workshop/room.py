"""The room as phones see it: one read model per session, computed once per change for every phone.

The participant server keeps one `Room`. A single watcher asks the store for the sessions' version
numbers a few times a second (one cheap query, however many phones wait); when a version moves, the
phones' view is computed once, after the reveal policy and the minimum group size, and every waiting
phone gets the same answer. A reveal to 300 phones is one tally, not 300.
"""

from __future__ import annotations

import html
import json
import random
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from workshop.bars import results_html
from workshop.content import Poll
from workshop.language import Words
from workshop.prose import to_html
from workshop.reveal import for_room, standing
from workshop.sessions import normalise_join_code
from workshop.store import SessionRecord, SessionState, Store

# The strings a phone's page needs, sent once when it joins (the rest stay on the server).
PHONE_WORDS = (
    "participant.heading",
    "participant.type-code",
    "participant.code-placeholder",
    "participant.join",
    "participant.joining",
    "participant.waiting",
    "participant.opened",
    "participant.received",
    "participant.send",
    "participant.send-again",
    "participant.write-here",
    "participant.ended",
    "participant.reconnecting",
    "participant.unavailable",
    "participant.room-full",
    "participant.not-sent",
    "participant.support",
    "participant.support-heading",
    "participant.no-support",
    "participant.support-note",
    "participant.private-word",
    "participant.private-word-code",
    "participant.pause",
    "participant.pause-sent",
    "participant.close-support",
    "participant.exit",
    "participant.exit-label",
    "participant.forget",
    "participant.answer-in",
    "participant.change-answer",
)


def phone_words(language: str) -> dict[str, str]:
    """The page's own words in a language, for the script to show ({placeholders} left for it to fill)."""
    strings = Words(language).strings
    return {key: str(strings[key]) for key in PHONE_WORDS}


def poll_for_phone(poll: Poll, words: Words) -> dict[str, Any]:
    """What a phone needs to draw a question; options in the module's order (shuffled per device later)."""
    shown: dict[str, Any] = {"id": poll.id, "kind": poll.kind, "prompt": poll.prompt}
    if poll.kind == "scale":
        shown["choices"] = list(poll.scale_points)
        shown["ends"] = [f"{poll.min}: {poll.min_label}", f"{poll.max}: {poll.max_label}"]
        shown["labels"] = {str(poll.min): poll.min_label, str(poll.max): poll.max_label}
    elif poll.kind == "text":
        shown["hint"] = words("participant.text-hint", n=poll.max_length)
        shown["max_length"] = poll.max_length
    else:
        shown["choices"] = list(poll.options)
    if poll.kind == "multiple":
        shown["hint"] = (
            words("participant.tick-all")
            if poll.max_picks is None
            else words("participant.tick-up-to", n=poll.max_picks)
        )
        shown["max_picks"] = poll.max_picks
    return shown


@dataclass
class RoomView:
    """One session's view for phones, with a sequence number that moves only when the view changes."""

    session: SessionRecord
    seq: int = 0
    version: int = -1  # the store's session version it was computed from
    view: dict[str, Any] = field(default_factory=dict)
    live: bool = False  # a live poll is revealed while open: its bars follow answers, not versions
    encoded: str = ""

    @property
    def ended(self) -> bool:
        return bool(self.view.get("ended"))


class Room:
    """The phones' view of every running session this server has been asked about."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Sequence numbers start from this server's start in milliseconds: a phone that followed a server
        # before it was restarted is never "ahead" of the new one, so it is sent the room at once.
        self.first_seq = time.time_ns() // 1_000_000
        self.views: dict[int, RoomView] = {}
        self._by_code: dict[str, int] = {}

    def session(self, code: str) -> SessionRecord:
        """The running session with this join code (JoinError otherwise); remembered once found."""
        session = self.store.session_by_code(code)
        if session.id not in self.views:
            self.views[session.id] = RoomView(session, seq=self.first_seq)
        self._by_code[session.join_code] = session.id
        return self.views[session.id].session

    def known_code(self, code: str) -> int | None:
        """The session of a join code this server already follows, without asking the store."""
        return self._by_code.get(normalise_join_code(code))

    def refresh(self, session_ids: list[int] | None = None) -> list[int]:
        """Recompute the views whose session changed; returns the sessions whose phones must redraw."""
        wanted = list(self.views) if session_ids is None else session_ids
        versions = self.store.versions(wanted)
        changed = []
        for session_id in wanted:
            room = self.views[session_id]
            if versions.get(session_id) == room.version and not room.live:
                continue
            state = self.store.state(session_id)
            view = self.compute(room.session, state)
            encoded = json.dumps(view, sort_keys=True)
            room.version = state.version
            room.live = bool(
                state.revealed_poll and state.revealed_poll == state.open_poll and not state.ended
            )
            if encoded != room.encoded:
                room.view, room.encoded = view, encoded
                room.seq += 1
                changed.append(session_id)
        return changed

    def compute(self, session: SessionRecord, state: SessionState) -> dict[str, Any]:
        """What every phone of the session may see now: section, open question, revealed results."""
        words = Words(session.module.language)
        if state.ended:
            return {"ended": True}
        module = session.module
        section = None
        if state.current_section:
            current = module.section(state.current_section)
            section = f"<h2>{html.escape(current.title)}</h2>{to_html(current.text)}"
        poll = poll_for_phone(module.poll(state.open_poll), words) if state.open_poll else None
        return {
            "ended": False,
            "section": section,
            "poll": poll,
            "results": self._results(session, state, words),
        }

    def _results(self, session: SessionRecord, state: SessionState, words: Words) -> str:
        """The revealed poll as light HTML bars: the same numbers as the screen, no Plotly."""
        if state.revealed_poll is None:
            return ""
        poll = session.module.poll(state.revealed_poll)
        statuses = {state.open_poll: "open"} if state.open_poll else {}
        stands = standing(session.module, poll, statuses)
        results = self.store.room_results(session.id, poll.id, live=stands.policy == "live")
        showing = for_room(stands, True, results.respondents, session.min_group_size, words)
        texts = (
            self.store.approved_texts(session.id, poll.id) if poll.kind == "text" and showing.results else []
        )
        return results_html(results, showing, session.min_group_size, words, texts)

    def forget_ended(self, keep: Collection[int] = ()) -> list[int]:
        """Stop watching sessions that have ended, but those in `keep` (whose phones are told now)."""
        ended = [s for s, room in self.views.items() if room.ended and s not in keep]
        for session_id in ended:
            room = self.views.pop(session_id)
            self._by_code.pop(room.session.join_code, None)
        return ended


def for_device(room: RoomView, device_key: str) -> dict[str, Any]:
    """The shared view with this device's own order of options, the same after a reload.

    With `shuffle_options`, a partner's glance at the other phone says nothing about which button is where:
    choices and scale points alike (a scale's points then carry their end words, as their order no
    longer shows which end is which).
    """
    view = dict(room.view, seq=room.seq)
    poll = view.get("poll")
    if poll and poll["kind"] != "text" and room.session.module.shuffle_options:
        choices = list(poll["choices"])
        random.Random(f"{device_key}:{poll['id']}").shuffle(choices)
        view["poll"] = dict(poll, choices=choices)
    return view
