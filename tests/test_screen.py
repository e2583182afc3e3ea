"""The projector screen, driven in Python: what the room sees, and what it never sees."""

from __future__ import annotations

from workshop.content import Module
from workshop.screen import Screen
from workshop.store import Store


def test_the_screen_shows_how_to_join_the_newest_session(sqlite_store: Store, tiny: Module) -> None:
    screen = Screen(sqlite_store, participant_base="http://10.1.2.3:8866")
    assert "will begin shortly" in screen.join.value
    session = sqlite_store.start_session(tiny)
    screen.refresh()
    assert session.join_code in screen.join.value
    assert f"http://10.1.2.3:8866/?code={session.join_code}" in screen.join.value
    assert screen.qr.value.startswith("<svg")
    assert "Start" in screen.now.value


def test_the_screen_shows_the_open_question_and_only_its_count(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny, min_group_size=1)
    screen = Screen(sqlite_store, session_id=session.id, participant_base="http://x:1")
    sqlite_store.open_poll(session.id, "who")
    for n in range(2):
        person = sqlite_store.join(session.id, f"{n:032x}")
        sqlite_store.record_answer(session.id, person, "who", "Usually my partner")
    screen.refresh()
    assert "Who usually raises a worry first?" in screen.now.value
    assert "2 answers · results show after the question closes" in screen.now.value
    assert "Usually my partner" not in screen.now.value
    assert "Say hello." not in screen.now.value  # facilitator notes never reach the room


def test_the_screen_follows_the_section_and_the_end(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny)
    screen = Screen(sqlite_store, participant_base="http://x:1")
    sqlite_store.set_section(session.id, "end")
    screen.refresh()
    assert "End" in screen.now.value
    sqlite_store.end_session(session.id)
    screen.refresh()
    assert "Thank you for taking part." in screen.join.value  # the end screen, until the next session
    sqlite_store.start_session(tiny)
    screen.refresh()
    assert "join-code" in screen.join.value


def test_when_the_session_ends_the_screen_thanks_the_room_and_lists_support(
    sqlite_store: Store, tiny: Module
) -> None:
    from workshop.support import Contact

    module = tiny
    helpline = Contact(name="Test Helpline", for_="anyone worried", phone="0100 000 000")
    session = sqlite_store.start_session(module, min_group_size=1, support=(helpline,))
    screen = Screen(sqlite_store, session_id=session.id, participant_base="http://10.1.2.3:8866")
    sqlite_store.end_session(session.id)
    screen.refresh()
    assert "Thank you for taking part." in screen.join.value
    assert "Test Helpline" in screen.now.value and "tel:0100000000" in screen.now.value
    assert session.join_code not in screen.join.value + screen.qr.value


def test_the_projector_follows_a_newer_session_rather_than_showing_an_old_code(
    sqlite_store: Store, tiny: Module
) -> None:
    old = sqlite_store.start_session(tiny)
    screen = Screen(sqlite_store, participant_base="http://x:1")  # opened from `workshop serve`'s address
    assert old.join_code in screen.join.value
    new = sqlite_store.start_session(tiny)  # the old one is still running
    screen.refresh()
    assert new.join_code in screen.join.value and old.join_code not in screen.join.value
