"""What each view may show of a poll's results: console, projector screen and phones, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.console import Console
from workshop.content import Module
from workshop.errors import PollError
from workshop.room import Room as Phones
from workshop.room import for_device
from workshop.screen import Screen
from workshop.store import SessionRecord, Store

TESTS = Path(__file__).parent


class Room:
    """One session seen at once from the console, the projector screen and one phone."""

    def __init__(self, store: Store, min_group_size: int) -> None:
        self.store = store
        self.console = Console(store, module_folders=[TESTS / "modules"], participant_base="http://x:1")
        self.console.module_choice.value = "tiny"
        self.console.group_size.value = min_group_size
        self.console.start_button.click()
        assert self.console.session is not None
        self.session: SessionRecord = self.console.session
        self.screen = Screen(store, session_id=self.session.id, participant_base="http://x:1")
        self.phones = Phones(store)  # what the participant server shows every phone
        self.phones.session(self.session.join_code)
        self.people = 0

    def answer(self, poll_id: str, *values: object) -> None:
        for value in values:
            self.people += 1
            person = self.store.join(self.session.id, f"{self.people:032x}")
            self.store.record_answer(self.session.id, person, poll_id, value)

    def look(self) -> None:
        for view in (self.console, self.screen):
            view.refresh()
        self.phones.refresh()

    @property
    def phone_results(self) -> str:
        return str(self.phones.views[self.session.id].view["results"])

    def bars(self, figure: object) -> list[int]:
        data = figure.data[0]  # type: ignore[attr-defined]
        return list(data.x if data.orientation == "h" else data.y)


def test_below_the_minimum_group_size_no_view_shows_a_distribution(sqlite_store: Store, tiny: Module) -> None:
    room = Room(sqlite_store, min_group_size=3)
    room.console.open_poll(tiny.poll("how"))  # a live poll, revealed while it is open
    room.console.reveal_results(tiny.poll("how"))
    room.answer("how", 1, 5)
    room.look()
    assert sum(room.bars(room.console.figure)) == 0
    assert sum(room.bars(room.screen.figure)) == 0
    assert "results appear after 1 more (minimum 3)" in room.console.figure.layout.title.text
    assert "results appear after 1 more (minimum 3)" in room.screen.figure.layout.title.text
    assert "results appear after 1 more (minimum 3)" in room.phone_results
    assert 'class="bar-row"' not in room.phone_results
    room.answer("how", 3)
    room.look()
    assert room.bars(room.console.figure) == [1, 0, 1, 0, 1]
    assert room.bars(room.screen.figure) == [1, 0, 1, 0, 1]
    assert room.phone_results.count('class="bar-row"') == 5
    assert "1 (33%)" in room.phone_results  # the same numbers as the screen
    assert "mean 3.0" in room.screen.figure.layout.title.text


def test_an_after_close_poll_shows_only_its_count_until_closed_and_revealed(
    sqlite_store: Store, tiny: Module
) -> None:
    room = Room(sqlite_store, min_group_size=2)
    room.console.open_poll(tiny.poll("who"))
    room.answer("who", "Usually me", "Usually me", "About equally")
    room.look()
    assert "3 answers · results show after the question closes" in room.screen.now.value
    assert not room.screen.chart_shown
    assert sum(room.bars(room.console.figure)) == 0
    assert room.phone_results == ""
    room.console.close_poll(tiny.poll("who"))
    room.look()
    assert room.bars(room.console.figure) == [2, 0, 1]  # the facilitator sees it first
    assert not room.screen.chart_shown  # the room only once it is revealed
    room.console.reveal_results(tiny.poll("who"))
    room.look()
    assert room.bars(room.screen.figure) == [2, 0, 1]
    assert room.screen.chart_shown
    assert "2 (67%)" in room.phone_results
    room.console.hide_results()
    room.look()
    assert not room.screen.chart_shown and room.phone_results == ""


def test_open_text_reaches_the_room_only_once_approved_and_escaped(sqlite_store: Store, tiny: Module) -> None:
    room = Room(sqlite_store, min_group_size=2)
    room.console.open_poll(tiny.poll("words"))
    room.answer("words", "<b>Being listened to</b>", "When he hits me", "Time together")
    room.look()
    queue = room.console.moderation
    # While it is open nothing, not even a safety flag, appears as someone taps Send.
    assert "danger at home" not in queue.summary.value
    assert queue.rows.children == ()
    room.console.reveal_results(tiny.poll("words"))  # closes it: reveal after close
    room.look()
    assert "1 answer may speak of danger at home" in queue.summary.value
    assert "will share some answers" in room.screen.texts.value
    queue.approve_all.click()
    room.look()
    shown = room.screen.texts.value
    assert "&lt;b&gt;Being listened to&lt;/b&gt;" in shown and "<b>Being" not in shown
    assert "Time together" in shown and "hits me" not in shown
    assert "&lt;b&gt;Being listened to&lt;/b&gt;" in room.phone_results
    flagged_row = next(row for row in queue.rows.children if "hits me" in row.children[0].value)
    approve = flagged_row.children[1]
    approve.click()  # a flagged answer asks for a second click
    assert "hits me" not in sqlite_store.approved_texts(room.session.id, "words")
    approve.click()
    assert "When he hits me" in sqlite_store.approved_texts(room.session.id, "words")


def test_before_and_after_are_shown_side_by_side(sqlite_store: Store, tiny: Module) -> None:
    room = Room(sqlite_store, min_group_size=2)
    room.console.open_poll(tiny.poll("how"))
    room.answer("how", 2, 2)
    room.people = 0  # the same two people answer again
    room.console.open_poll(tiny.poll("how-again"))
    room.answer("how-again", 4, 5)
    room.console.reveal_results(tiny.poll("how-again"))
    room.look()
    before, after = room.screen.figure.data
    assert (before.name, list(before.y)) == ("before", [0, 2, 0, 0, 0])
    assert (after.name, list(after.y)) == ("after", [0, 0, 0, 1, 1])
    assert "of 2 who answered both, 2 higher" in room.screen.figure.layout.title.text
    assert room.phone_results.count('class="bar-track"') == 10


def test_each_device_shows_options_in_its_own_stable_order(sqlite_store: Store, tiny: Module) -> None:
    shuffled = Module.from_dict({**tiny.to_dict(), "shuffle_options": True})
    session = sqlite_store.start_session(shuffled)
    sqlite_store.open_poll(session.id, "which")
    phones = Phones(sqlite_store)
    phones.session(session.join_code)
    phones.refresh()
    room = phones.views[session.id]
    orders = set()
    for n in range(8):
        order = for_device(room, f"{n:032x}")["poll"]["choices"]
        assert for_device(room, f"{n:032x}")["poll"]["choices"] == order  # a reload keeps the order
        assert sorted(order) == sorted(shuffled.poll("which").options)
        orders.add(tuple(order))
    assert len(orders) > 1
    assert room.view["poll"]["choices"] == list(shuffled.poll("which").options)  # shared view unshuffled


def test_below_the_minimum_no_one_reads_the_texts_but_a_safety_flag_is_counted(
    sqlite_store: Store, tiny: Module
) -> None:
    room = Room(sqlite_store, min_group_size=3)
    room.console.open_poll(tiny.poll("words"))
    room.answer("words", "Being asked first", "I am scared of him")
    room.console.reveal_results(tiny.poll("words"))
    room.look()
    queue = room.console.moderation
    assert queue.rows.children == () and queue.pending == []
    assert "unread until 1 more people have answered" in queue.summary.value
    assert "1 answer may speak of danger at home" in queue.summary.value
    assert "Being asked first" not in room.screen.texts.value
    assert "results appear after 1 more (minimum 3)" in room.screen.texts.value
    assert "Being asked first" not in room.phone_results


def test_a_before_and_after_pair_is_shown_by_the_stricter_rounds_rules(
    sqlite_store: Store, tiny: Module
) -> None:
    def with_reveal(never: str = "") -> Module:
        data = tiny.to_dict()
        for poll in data["polls"]:
            poll["reveal"] = "never" if poll["id"] == never else "after-close"
        return Module.from_dict(data)

    session = sqlite_store.start_session(with_reveal(never="how"), min_group_size=1)
    screen = Screen(sqlite_store, session_id=session.id, participant_base="http://x:1")
    person = sqlite_store.join(session.id, "e" * 32)
    for poll_id in ("how", "how-again"):
        sqlite_store.open_poll(session.id, poll_id)
        sqlite_store.record_answer(session.id, person, poll_id, 3)
    with pytest.raises(PollError, match="facilitator only"):
        sqlite_store.reveal_poll(session.id, "how-again")
    screen.refresh()
    assert not screen.chart_shown
    # And a first round that is open again keeps the pair's bars off the screen.
    session = sqlite_store.start_session(with_reveal(), min_group_size=1)
    screen = Screen(sqlite_store, session_id=session.id, participant_base="http://x:1")
    person = sqlite_store.join(session.id, "e" * 32)
    for poll_id in ("how", "how-again"):
        sqlite_store.open_poll(session.id, poll_id)
        sqlite_store.record_answer(session.id, person, poll_id, 3)
    sqlite_store.reveal_poll(session.id, "how-again")
    screen.refresh()
    assert sum(screen.figure.data[0].y) == 1
    sqlite_store.open_poll(session.id, "how")
    sqlite_store.reveal_poll(session.id, "how-again")
    screen.refresh()
    assert sum(screen.figure.data[0].y) == 0
    assert "results show after the question closes" in screen.figure.layout.title.text


def test_reopening_a_revealed_poll_takes_its_results_off_the_screen(
    sqlite_store: Store, tiny: Module
) -> None:
    room = Room(sqlite_store, min_group_size=1)
    room.console.open_poll(tiny.poll("who"))
    room.answer("who", "Usually me")
    room.console.reveal_results(tiny.poll("who"))
    room.console.open_poll(tiny.poll("who"))
    room.look()
    assert sqlite_store.state(room.session.id).revealed_poll is None
    assert not room.screen.chart_shown and room.phone_results == ""


def test_a_live_chart_in_front_of_the_room_moves_only_in_batches(sqlite_store: Store, tiny: Module) -> None:
    room = Room(sqlite_store, min_group_size=3)
    room.console.open_poll(tiny.poll("how"))  # live: revealed while people are still answering
    room.console.reveal_results(tiny.poll("how"))
    room.answer("how", 1, 5, 3)
    room.look()
    first = [1, 0, 1, 0, 1]
    assert room.bars(room.screen.figure) == first
    shown_to_phones = room.phone_results

    # One more tap, and then someone changing their answer: a partner watching the screen or a phone
    # would read either from the difference, so the room's chart stays as it was.
    room.answer("how", 4)
    room.look()
    assert room.bars(room.screen.figure) == first
    assert room.phone_results == shown_to_phones
    assert room.bars(room.console.figure) == [1, 0, 1, 1, 1]  # the facilitator's own console is exact
    changer = room.store.join(room.session.id, f"{1:032x}")
    room.store.record_answer(room.session.id, changer, "how", 2)
    room.look()
    assert room.bars(room.screen.figure) == first

    # The third answer since the last batch moves the room on, to the results as they stand.
    room.answer("how", 5)
    room.look()
    now = [0, 1, 1, 1, 2]
    assert room.bars(room.screen.figure) == now
    assert room.phone_results != shown_to_phones and "2 (40%)" in room.phone_results

    # Closing leaves the room on its last batch rather than showing the last few taps at once.
    room.answer("how", 1)
    room.console.close_poll(tiny.poll("how"))
    room.look()
    assert room.bars(room.screen.figure) == now
