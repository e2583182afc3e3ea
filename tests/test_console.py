"""The facilitator's console, driven in Python: buttons are clicked, the store and the chart are checked."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

from workshop.console import Console
from workshop.content import Module
from workshop.errors import JoinError
from workshop.store import Store

TESTS = Path(__file__).parent


def started_console(store: Store, min_group_size: int = 1) -> Console:
    console = Console(store, module_folders=[TESTS / "modules"], participant_base="http://10.1.2.3:8866")
    console.module_choice.value = "tiny"
    console.group_size.value = min_group_size
    console.start_button.click()
    assert console.session is not None
    return console


def answer(store: Store, console: Console, poll: str, values: list[object]) -> None:
    assert console.session is not None
    for n, value in enumerate(values):
        person = store.join(console.session.id, f"{n:032x}")
        store.record_answer(console.session.id, person, poll, value)


def test_starting_a_session_shows_the_code_address_and_qr(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert console.session is not None
    code = console.session.join_code
    assert code in console.join_info.value
    assert f"http://10.1.2.3:8866/?code={code}" in console.join_info.value
    assert console.qr.value.startswith("<svg")
    assert [label for label, _ in console.agenda.options] == [
        "Start · 10 min",
        "End · 10 min",
        "Later · 10 min",
    ]


def test_the_console_shows_the_notes_of_the_chosen_section(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert "Say hello." in console.section_view.value
    console.agenda.value = "end"
    assert "Say goodbye." in console.section_view.value
    assert console.session is not None
    assert sqlite_store.session(console.session.id).current_section == "end"


def poll_button(console: Console, prompt: str, name: str) -> Any:
    """A poll's control, found as a person finds it: the button called `name` in the row showing `prompt`."""
    rows = [row for row in console.poll_controls.children if prompt in _texts(row)]
    assert len(rows) == 1, f"no single row for {prompt!r} on the console"
    found = [b for b in _buttons(rows[0]) if b.description == name]
    assert len(found) == 1, f"no single {name!r} button in the row of {prompt!r}"
    return found[0]


def _buttons(widget: Any) -> list[Any]:
    if isinstance(widget, widgets.Button):
        return [widget]
    return [b for child in getattr(widget, "children", ()) for b in _buttons(child)]


def _texts(widget: Any) -> str:
    """What a person reads in a widget and those inside it (the text of its HTML)."""
    if isinstance(widget, widgets.HTML):
        return html.unescape(re.sub(r"<[^>]+>", " ", widget.value))
    return " ".join(_texts(child) for child in getattr(widget, "children", ()))


WHO = "Who usually raises a worry first?"


def test_open_and_close_buttons_drive_the_poll(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert console.session is not None
    assert not poll_button(console, WHO, "Open").disabled
    assert poll_button(console, WHO, "Close").disabled  # nothing to close yet
    poll_button(console, WHO, "Open").click()
    assert sqlite_store.state(console.session.id).open_poll == "who"
    assert poll_button(console, WHO, "Open").disabled
    poll_button(console, WHO, "Close").click()
    assert sqlite_store.state(console.session.id).open_poll is None
    assert poll_button(console, WHO, "Close").disabled  # the redrawn row says it is closed
    assert not poll_button(console, WHO, "Open").disabled  # and may be opened again


def test_every_poll_button_says_in_words_what_it_does_to_which_poll(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert poll_button(console, WHO, "Open").tooltip == f"Open: {WHO}"
    assert poll_button(console, WHO, "Reveal to room").tooltip == f"Show the results to the room: {WHO}"
    poll_button(console, WHO, "Open").click()
    assert poll_button(console, WHO, "Close").tooltip == f"Close: {WHO}"
    assert poll_button(console, WHO, "Close and reveal").tooltip.startswith("Close, then show the results")
    assert poll_button(console, WHO, "Chart").tooltip == f"Chart the results here: {WHO}"
    poll_button(console, WHO, "Close and reveal").click()
    assert poll_button(console, WHO, "Hide").tooltip.endswith(f": {WHO}")
    every = [b.tooltip for b in _buttons(console.poll_controls)]
    assert all(tip.endswith("?") and ": " in tip for tip in every), every


def test_a_spanish_session_says_its_poll_buttons_in_spanish(sqlite_store: Store) -> None:
    console = Console(sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1")
    console.module_choice.value = "tiny-es"
    console.start_button.click()
    quien = "¿Quién suele plantear primero una preocupación?"
    assert poll_button(console, quien, "Abrir").tooltip == f"Abrir: {quien}"


def test_while_an_after_close_poll_is_open_the_console_shows_only_the_count(
    sqlite_store: Store, tiny: Module
) -> None:
    console = started_console(sqlite_store)
    console.open_poll(tiny.poll("who"))
    answer(sqlite_store, console, "who", ["Usually me", "Usually me", "About equally"])
    console.refresh()
    assert list(console.figure.data[0].x) == [0, 0, 0]
    assert "3 answered · 3 devices joined" in console.counts.value
    assert "3 answers · results show when you close the question" in console.figure.layout.title.text
    console.close_poll(tiny.poll("who"))
    assert list(console.figure.data[0].x) == [2, 0, 1]
    assert list(console.figure.data[0].text) == ["2 (67%)", "0 (0%)", "1 (33%)"]


def test_no_distribution_below_the_minimum_group_size(sqlite_store: Store, tiny: Module) -> None:
    console = started_console(sqlite_store, min_group_size=3)
    console.open_poll(tiny.poll("how"))
    answer(sqlite_store, console, "how", [1, 5])
    console.refresh()
    assert list(console.figure.data[0].y) == [0, 0, 0, 0, 0]
    assert "1 more" in console.figure.layout.title.text
    answer(sqlite_store, console, "how", [1, 5, 3])
    console.refresh()
    assert list(console.figure.data[0].y) == [1, 0, 1, 0, 1]
    assert "mean 3.0" in console.figure.layout.title.text


def test_ending_the_session_returns_to_the_start(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert console.session is not None
    session_id = console.session.id
    console.end_button.click()
    assert not sqlite_store.session(session_id).ended  # one click only asks to confirm
    console.end_button.click()
    assert sqlite_store.session(session_id).ended
    assert console.session is None
    assert console.resume_choice.options == ()


def test_a_running_session_can_be_resumed(sqlite_store: Store, tiny: Module) -> None:
    record = sqlite_store.start_session(tiny)
    sqlite_store.set_section(record.id, "end")
    console = Console(sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1")
    console.resume_choice.value = record.id
    console.resume_button.click()
    assert console.session is not None and console.session.id == record.id
    assert console.agenda.value == "end"


def test_the_short_path_lists_only_its_sections_and_moves_nobody(sqlite_store: Store, tiny: Module) -> None:
    module = Module.from_dict({**tiny.to_dict(), "short_path": ["start", "later"]})
    record = sqlite_store.start_session(module)
    console = Console(sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1")
    console.resume_choice.value = record.id
    console.resume_button.click()
    assert [label for label, _ in console.path_choice.options] == ["Full · 30 min", "Short path · 20 min"]
    console.agenda.value = "end"
    console.path_choice.value = "short"
    assert [value for _, value in console.agenda.options] == ["start", "later"]
    assert console.agenda.value is None  # the room stays where it is until the facilitator picks
    assert sqlite_store.session(record.id).current_section == "end"
    assert "Say goodbye." in console.section_view.value
    console.agenda.value = "later"
    assert sqlite_store.session(record.id).current_section == "later"


def test_an_invalid_module_refuses_to_start_with_the_validators_message(
    tmp_path: Path, sqlite_store: Store
) -> None:
    broken = (
        (TESTS / "modules" / "tiny.yaml").read_text().replace("prompt: Who usually", "promt: Who usually")
    )
    (tmp_path / "broken.yaml").write_text(broken)
    console = Console(sqlite_store, module_folders=[tmp_path], participant_base="http://x:1")
    console.module_choice.value = "broken"
    console.start_button.click()
    assert console.session is None and sqlite_store.running_sessions() == []
    assert (
        "broken.yaml:27:5: unknown field &#x27;promt&#x27; in poll &#x27;who&#x27;" in console.message.value
    )


def test_a_session_started_without_support_contacts_is_warned_about(
    sqlite_store: Store, tmp_path: Path
) -> None:
    (tmp_path / "tiny.yaml").write_text((TESTS / "modules" / "tiny.yaml").read_text())
    console = Console(sqlite_store, module_folders=[tmp_path], participant_base="http://10.1.2.3:8866")
    console.module_choice.value = "tiny"
    console.start_button.click()
    assert "No support contacts are set" in console.support_view.value
    with_contacts = started_console(sqlite_store)  # tests/modules has a support.yaml
    assert with_contacts.support_view.value == ""
    assert with_contacts.session is not None
    assert sqlite_store.support(with_contacts.session.id)[0].name == "Test Helpline"


def test_private_requests_show_only_their_codes_and_a_count(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert console.session is not None
    code = sqlite_store.ask_for(console.session.id, "private-word")
    sqlite_store.ask_for(console.session.id, "pause")
    sqlite_store.ask_for(console.session.id, "pause")
    console.refresh()
    assert code in console.requests_view.value
    assert "2 people asked for a pause." in console.requests_view.value


def test_the_module_picker_shows_titles_and_keeps_ids_as_values(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    console = Console(
        sqlite_store, module_folders=[TESTS / "modules", tmp_path], participant_base="http://x:1"
    )
    choices = dict(console.module_choice.options)
    assert choices["A tiny test module (tiny)"] == "tiny"
    assert choices["The Emotional Pursuer and the Emotional Avoider (pursuer-avoider)"] == "pursuer-avoider"
    assert choices["broken (cannot be read: Start session says why)"] == "broken"
    console.module_choice.value = "tiny"  # the id is what is chosen and started
    console.start_button.click()
    assert console.session is not None and console.session.module.id == "tiny"


def test_the_start_screen_lists_what_to_do_before_the_session(sqlite_store: Store) -> None:
    console = Console(
        sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://10.1.2.3:8866"
    )
    console.module_choice.value = "tiny"
    assert "Before the session" in console.before_view.value
    assert "support contacts" in console.before_view.value
    console.module_choice.value = "tiny-es"
    assert "Antes de la sesión" in console.before_view.value


def test_after_a_restart_the_running_session_is_ready_to_resume_and_charted_at_once(
    sqlite_store: Store,
) -> None:
    first = started_console(sqlite_store)
    assert first.session is not None
    first.open_poll(first.session.module.poll("who"))
    answer(sqlite_store, first, "who", ["Usually me", "About equally"])
    again = Console(sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://10.1.2.3:8866")
    assert again.resume_choice.value == first.session.id  # selected: one click resumes
    again.resume_button.click()
    assert again.session is not None and again.session.id == first.session.id
    assert "2 answered" in again.counts.value  # counts at once, without pressing Chart


def test_more_devices_than_people_expected_raises_an_alert_and_joining_can_be_closed(
    sqlite_store: Store,
) -> None:
    console = Console(sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1")
    console.module_choice.value = "tiny"
    console.expected_people.value = 2
    console.start_button.click()
    assert console.session is not None
    session_id = console.session.id
    assert sqlite_store.session(session_id).expected_people == 2
    for n in range(2):
        sqlite_store.join(session_id, f"{n:032x}")
    console.refresh()
    assert console.door.alert.value == ""
    sqlite_store.join(session_id, f"{9:032x}")
    console.refresh()
    assert "3 devices have joined, but you expect 2 people" in console.door.alert.value
    console.door.expected.value = 3  # a late arrival the facilitator can see: the alert goes
    assert console.door.alert.value == ""
    assert sqlite_store.session(session_id).expected_people == 3

    assert console.door.switch.description == "Close joining"
    console.door.switch.click()
    assert "Joining is closed" in console.door.status.value
    assert console.door.switch.description == "Open joining again"
    assert sqlite_store.session(session_id).joining_closed
    assert sqlite_store.join(session_id, f"{0:032x}") >= 0  # a known phone comes back
    with pytest.raises(JoinError, match="Joining is closed"):
        sqlite_store.join(session_id, f"{10:032x}")


def test_a_console_opened_after_a_crash_resumes_the_running_session_by_itself(sqlite_store: Store) -> None:
    first = started_console(sqlite_store)
    assert first.session is not None
    again = Console(
        sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1", resume_running=True
    )
    assert again.session is not None and again.session.id == first.session.id
    assert f"Resumed the running session {first.session.join_code}" in again.message.value
    assert again.session_box.layout.display is None
    # Started afresh without a running session, it waits at the start screen.
    again.end_session()
    fresh = Console(sqlite_store, module_folders=[TESTS / "modules"], resume_running=True)
    assert fresh.session is None


def queue_button(console: Console, text: str, name: str) -> Any:
    """A moderation control: the button called `name` in the row showing the answer `text`."""
    rows = [row for row in console.moderation.rows.children if text in _texts(row)]
    assert len(rows) == 1, f"no single queue row for {text!r}"
    found = [b for b in _buttons(rows[0]) if b.description == name]
    assert len(found) == 1, f"no single {name!r} button in the row of {text!r}"
    return found[0]


def test_a_flagged_answer_is_approved_on_the_second_click_even_after_a_redraw(sqlite_store: Store) -> None:
    console = started_console(sqlite_store)
    assert console.session is not None
    console.agenda.value = "later"
    words = "In a few words, what helps you feel heard?"
    poll_button(console, words, "Open").click()
    answer(sqlite_store, console, "words", ["He hits me when angry", "Being heard", "Time to think"])
    poll_button(console, words, "Close").click()
    console.refresh()
    flagged = "He hits me when angry"
    queue_button(console, flagged, "Approve").click()
    assert queue_button(console, flagged, "Yes, show it").button_style == "danger"

    def reviews() -> dict[str, str]:
        assert console.session is not None
        return {a.text: a.review for a in sqlite_store.text_answers(console.session.id, "words")}

    assert reviews()[flagged] == "pending"  # the first click only asks
    queue_button(console, "Being heard", "Reject").click()  # the queue redraws from the store
    assert "Being heard" not in reviews() and "rejected" in reviews().values()  # its words are wiped
    queue_button(console, flagged, "Yes, show it").click()  # the ask outlived the redraw
    assert reviews()[flagged] == "approved"
    queue_button(console, "Time to think", "Approve").click()  # an unflagged answer needs one click
    assert reviews()["Time to think"] == "approved"


def test_a_poll_row_names_the_reveal_policy_as_enforced(sqlite_store: Store, tiny: Module) -> None:
    data = tiny.to_dict()
    for poll in data["polls"]:
        if poll["id"] == "words":
            poll["reveal"] = "live"  # a written answer shown as it arrives would say who wrote it
    sqlite_store.start_session(Module.from_dict(data))
    console = Console(sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1")
    console.resume_button.click()
    console.agenda.value = "later"
    assert "open text · results after closing · not asked yet" in _texts(console.poll_controls)


def test_a_resumed_session_charts_the_poll_last_asked_even_when_closed(sqlite_store: Store) -> None:
    first = started_console(sqlite_store)
    poll_button(first, WHO, "Open").click()
    answer(sqlite_store, first, "who", ["Usually me"])
    poll_button(first, WHO, "Close").click()
    again = Console(
        sqlite_store, module_folders=[TESTS / "modules"], participant_base="http://x:1", resume_running=True
    )
    assert "1 answered" in again.counts.value
    assert list(again.figure.data[0].x) == [1, 0, 0]
    assert again.figure_box.layout.display is None


def test_opening_the_console_does_not_load_the_disclosure_detector(tmp_path: Path) -> None:
    """The console lists every module by title, checking each; a module's `safety_words` are checked
    against the word-set names alone. Loading the lemmatizers' dictionaries (about 170 MB and 3 s, the
    Spanish one most of it) waits for the first written answer."""
    script = (
        "import sys\n"
        "from workshop.console import Console\n"
        "from workshop.store import Store\n"
        f"Console(Store({'sqlite:///' + str(tmp_path / 'w.sqlite3')!r}))\n"
        "print(sorted(m for m in ('simplemma', 'snowballstemmer') if m in sys.modules))\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]", shown.stdout + shown.stderr


def test_a_session_with_written_answers_loads_the_detector_while_the_room_joins(tmp_path: Path) -> None:
    """The first look at the written answers should not wait 2–3 s for the dictionaries to load."""
    script = (
        "import sys\n"
        "from workshop.console import Console\n"
        "from workshop.safety import built_in_phrases\n"
        "from workshop.store import Store\n"
        f"store = Store({'sqlite:///' + str(tmp_path / 'w.sqlite3')!r})\n"
        "console = Console(store)\n"
        "console.module_choice.value = 'leaving-and-loss-es'\n"
        "console.start_session()\n"
        "console.reading_ahead.join(120)\n"
        "print(built_in_phrases.cache_info().currsize, 'simplemma' in sys.modules)\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["1", "True"], shown.stdout + shown.stderr
