"""The participant page, driven in Python: widgets are clicked, the store is asserted on."""

from __future__ import annotations

from workshop.content import Module
from workshop.participant import ParticipantPage
from workshop.store import SessionRecord, Store

DEVICE = "c" * 32


def joined_page(store: Store, code: str, device: str = DEVICE) -> ParticipantPage:
    page = ParticipantPage(store, code=code)
    page.device.key = device  # what the browser's localStorage widget sends
    return page


def page_with_open_poll(store: Store, module: Module, poll_id: str) -> tuple[SessionRecord, ParticipantPage]:
    """A joined participant's page showing a poll the facilitator has just opened."""
    session = store.start_session(module)
    page = joined_page(store, session.join_code)
    store.open_poll(session.id, poll_id)
    page.refresh()
    return session, page


def pick(page: ParticipantPage, label: str) -> None:
    for toggle in page.choices:
        if toggle.description == label:
            toggle.value = True


def test_a_wrong_code_says_so_and_joins_nothing(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny)
    page = ParticipantPage(sqlite_store)
    page.device.key = DEVICE
    page.code_input.value = "QQQQQ" if session.join_code != "QQQQQ" else "RRRRR"
    page.join_button.click()
    assert "doesn't match" in page.message.value
    assert sqlite_store.joined_count(session.id) == 0


def test_typing_the_code_joins_and_shows_the_current_section(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny)
    page = ParticipantPage(sqlite_store)
    page.device.key = DEVICE
    page.code_input.value = session.join_code.lower()
    page.join_button.click()
    assert sqlite_store.joined_count(session.id) == 1
    assert "Welcome." in page.section.value
    assert "Waiting for the facilitator" in page.message.value


def test_the_page_follows_the_facilitator(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny)
    page = joined_page(sqlite_store, session.join_code)
    sqlite_store.open_poll(session.id, "how")
    sqlite_store.set_section(session.id, "end")
    page.refresh()
    assert page.poll is not None and page.poll.id == "how"
    assert [t.description for t in page.choices] == ["1", "2", "3", "4", "5"]
    assert "Goodbye." in page.section.value
    sqlite_store.close_poll(session.id, "how")
    page.refresh()
    assert page.poll is None and "Waiting" in page.message.value


def test_an_unchanged_session_sends_no_widget_updates(sqlite_store: Store, tiny: Module) -> None:
    _session, page = page_with_open_poll(sqlite_store, tiny, "who")
    before = (page.message.value, page.section.value, page.poll_box.children)
    changes: list[str] = []
    for widget in (page.message, page.section, page.poll_box):
        widget.observe(lambda change: changes.append(change["name"]), names=["value", "children"])
    for _ in range(5):
        page.refresh()
    assert changes == []
    assert (page.message.value, page.section.value, page.poll_box.children) == before


def test_answering_stores_the_choice_and_never_echoes_it(sqlite_store: Store, tiny: Module) -> None:
    session, page = page_with_open_poll(sqlite_store, tiny, "who")
    pick(page, "Usually my partner")
    page.send_button.click()
    assert sqlite_store.answers(session.id, "who") == ["Usually my partner"]
    assert "Answer received" in page.message.value
    assert "Usually my partner" not in page.message.value
    assert not any(t.value for t in page.choices)


def test_changing_the_answer_replaces_it(sqlite_store: Store, tiny: Module) -> None:
    session, page = page_with_open_poll(sqlite_store, tiny, "which")
    pick(page, "Asking to talk")
    page.send_button.click()
    pick(page, "Needing space")
    pick(page, "Changing the subject")
    page.send_button.click()
    assert sqlite_store.answers(session.id, "which") == [["Needing space", "Changing the subject"]]


def test_a_reload_is_the_same_participant(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny)
    sqlite_store.open_poll(session.id, "how")
    first = joined_page(sqlite_store, session.join_code)
    pick(first, "2")
    first.send_button.click()
    reloaded = joined_page(sqlite_store, session.join_code)
    assert "Answer received" in reloaded.message.value
    pick(reloaded, "5")
    reloaded.send_button.click()
    assert sqlite_store.joined_count(session.id) == 1
    assert sqlite_store.answers(session.id, "how") == [5]


def test_single_choice_keeps_one_option_ticked(sqlite_store: Store, tiny: Module) -> None:
    _session, page = page_with_open_poll(sqlite_store, tiny, "who")
    pick(page, "Usually me")
    pick(page, "About equally")
    assert [t.description for t in page.choices if t.value] == ["About equally"]


def test_forged_widget_state_is_refused_with_a_message(sqlite_store: Store, tiny: Module) -> None:
    session, page = page_with_open_poll(sqlite_store, tiny, "which")
    # A forged page can set every toggle at once (max_picks is 2) and send nothing at all.
    for toggle in page.choices:
        toggle.value = True
    page.send_button.click()
    assert "at most 2" in page.message.value
    page.send_button.click()  # all ticks were kept: nothing was lost to the refusal
    assert sqlite_store.answers(session.id, "which") == []


def test_an_answer_after_the_poll_closed_is_refused(sqlite_store: Store, tiny: Module) -> None:
    session, page = page_with_open_poll(sqlite_store, tiny, "who")
    pick(page, "Usually me")
    sqlite_store.close_poll(session.id, "who")  # the facilitator closes before the page follows
    page.send_button.click()
    assert "closed" in page.message.value
    assert sqlite_store.answers(session.id, "who") == []


def test_the_page_says_thank_you_when_the_session_ends(sqlite_store: Store, tiny: Module) -> None:
    session = sqlite_store.start_session(tiny)
    ended: list[bool] = []
    page = ParticipantPage(sqlite_store, code=session.join_code, on_session_end=lambda: ended.append(True))
    page.device.key = DEVICE
    sqlite_store.end_session(session.id)
    page.refresh()
    assert "ended" in page.message.value
    assert ended == [True]
    assert page.ended


def test_a_text_answer_is_sent_and_cleared_from_the_screen(sqlite_store: Store, tiny: Module) -> None:
    session, page = page_with_open_poll(sqlite_store, tiny, "words")
    assert "Up to 80 characters" in page.poll_box.children[0].value
    page.text_input.value = "Being asked, <i>not told</i>"
    page.send_button.click()
    assert sqlite_store.answers(session.id, "words") == ["Being asked, <i>not told</i>"]
    assert page.text_input.value == ""
    assert "Answer received" in page.message.value and "not told" not in page.message.value


def test_an_over_long_text_is_refused_and_stays_in_the_box_to_shorten(
    sqlite_store: Store, tiny: Module
) -> None:
    session, page = page_with_open_poll(sqlite_store, tiny, "words")
    page.text_input.value = "word " * 20
    page.send_button.click()
    assert "99 characters; please shorten it to 80" in page.message.value
    assert page.text_input.value == "word " * 20
    assert sqlite_store.answers(session.id, "words") == []
