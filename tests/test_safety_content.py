"""Safety in the content: private polls stay on the console, safety notes are data, support is on paper.

A private poll asks about safety or fear, so its results must never reach the room, whatever a view or a
click asks for. Safety notes sit in `safety:` fields, so the guide gathers them in any language. The
guide and the deck list the local support contacts, or say plainly that they are missing.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from workshop.content import Module, find_module, load_module
from workshop.errors import PollError
from workshop.guide import guide_html, guide_markdown
from workshop.language import Words
from workshop.prose import poll_details
from workshop.reveal import for_facilitator, for_room, may_reveal, policy_of, standing
from workshop.slides import deck_html
from workshop.store import Store
from workshop.support import Contact

TESTS = Path(__file__).parent
JOIN_URL = "http://192.168.1.10:8866/"
CONTACTS = (
    Contact(name="Northside Helpline", for_="anyone worried about a partner", phone="0800 555 0101"),
    Contact(name="Crisis Text Service", text="Text HELLO to 85258", web="crisis.example.org", hours="24/7"),
)


def _private(tiny: Module, tmp_path: Path, *additions: tuple[str, str]) -> Module:
    """tiny.yaml with lines added after the given ones, loaded and validated like a trainer's file."""
    text = Path(tiny.origin).read_text()
    for after, added in additions:
        assert after in text
        text = text.replace(after, after + added, 1)
    path = tmp_path / "private.yaml"
    path.write_text(text)
    return load_module(path)


def test_a_private_poll_cannot_be_revealed_to_the_room(
    sqlite_store: Store, tiny: Module, tmp_path: Path
) -> None:
    module = _private(tiny, tmp_path, ("    max_picks: 2\n", "    private: true\n"))
    session = sqlite_store.start_session(module, min_group_size=1)
    which = sqlite_store.module(session.id).poll("which")  # as the session's snapshot reads it
    assert policy_of(which) == "never" and not may_reveal(module, which)
    person = sqlite_store.join(session.id, "a" * 32)
    sqlite_store.open_poll(session.id, "which")
    sqlite_store.record_answer(session.id, person, "which", ["Needing space"])
    sqlite_store.close_poll(session.id, "which")
    with pytest.raises(PollError, match="facilitator only"):
        sqlite_store.reveal_poll(session.id, "which")
    assert sqlite_store.state(session.id).revealed_poll is None
    words = Words("en")
    closed = standing(module, which, sqlite_store.poll_statuses(session.id))
    assert for_facilitator(closed, 1, 1, words).results  # the console still sees it, once closed
    assert not for_room(closed, True, 1, 1, words).results  # the room never does, even if marked revealed
    assert "facilitator's console" in poll_details(which)


def test_both_rounds_of_a_private_pair_stay_off_the_room(
    sqlite_store: Store, tiny: Module, tmp_path: Path
) -> None:
    text = (
        Path(tiny.origin)
        .read_text()
        .replace(
            "    max_label: Very safe\n    reveal: live\n", "    max_label: Very safe\n    private: true\n"
        )
        .replace("    reveal: live\n    prompt: And now", "    private: true\n    prompt: And now")
    )
    path = tmp_path / "pair.yaml"
    path.write_text(text)
    module = load_module(path)
    assert module.poll("how").private and module.poll("how-again").private
    session = sqlite_store.start_session(module, min_group_size=1)
    person = sqlite_store.join(session.id, "b" * 32)
    for poll_id in ("how", "how-again"):
        sqlite_store.open_poll(session.id, poll_id)
        sqlite_store.record_answer(session.id, person, poll_id, 4)
        sqlite_store.close_poll(session.id, poll_id)
        with pytest.raises(PollError, match="facilitator only"):
            sqlite_store.reveal_poll(session.id, poll_id)


@pytest.mark.parametrize(
    ("module_id", "private"),
    [
        (
            "pursuer-avoider",
            {
                "safety-before",
                "safety-after",
                "boxed-in",
                "feedback-helped",
                "feedback-change",
                "feedback-recommend",
            },
        ),
        (
            "leaving-and-loss",
            {
                "secure-before",
                "secure-after",
                "ending-talk",
                "recognise-distance",
                "at-stake",
                "safety-need",
                "feedback-helped",
                "feedback-change",
                "feedback-recommend",
            },
        ),
    ],
)
def test_the_built_in_safety_and_fear_questions_are_private(module_id: str, private: set[str]) -> None:
    module = find_module(module_id)
    assert {poll.id for poll in module.polls if poll.private} == private
    assert not any(may_reveal(module, module.poll(poll_id)) for poll_id in private)
    # The polls the room does see still make a workshop: choices, a checklist and written answers.
    shown = [poll for poll in module.polls if may_reveal(module, poll)]
    assert {poll.kind for poll in shown} >= {"single", "multiple", "text"}


def _safety_box(markdown: str) -> str:
    """From the safety box's heading, in English or Spanish, to the first section."""
    start = re.search(r"^## (Safety notes|Notas de seguridad)$", markdown, flags=re.MULTILINE)
    assert start is not None
    return markdown[start.start() : markdown.index("\n## 1. ")]


def test_the_spanish_guide_has_its_safety_box() -> None:
    module = load_module(TESTS / "modules" / "tiny-es.yaml")
    box = _safety_box(guide_markdown(module))
    assert "### Inicio" in box
    assert "no lo trate delante del grupo" in box and "- Ofrézcale la hoja de servicios de apoyo" in box
    page = guide_html(module)
    html_box = page[page.index('<div class="safety">') : page.index('<div class="section">')]
    assert html.escape("Ofrézcale la hoja de servicios de apoyo de la zona.") in html_box


def test_the_guide_gathers_the_modules_safety_note_first_then_each_sections() -> None:
    module = find_module("pursuer-avoider")
    box = _safety_box(guide_markdown(module))
    headings = re.findall(r"^### (.+)$", box, flags=re.MULTILINE)
    with_notes = [section.title for section in module.sections if section.safety]
    assert headings == ["Support contacts", "Throughout the session", *with_notes]
    assert "Run the" not in box and "Transition:" not in box


def test_without_support_contacts_the_guide_says_to_set_them_and_shows_no_number(tiny: Module) -> None:
    box = _safety_box(guide_markdown(tiny))  # tiny has no safety notes: the box is there all the same
    assert "No support contacts are set" in box and "`workshop support --example`" in box
    assert not re.search(r"\d{3}", box) and "REPLACE" not in box
    assert "No support contacts are set" in guide_html(tiny).split('<div class="section">')[0]


def test_the_guide_lists_the_support_contacts_in_its_safety_box(tiny: Module) -> None:
    box = _safety_box(guide_markdown(tiny, support=CONTACTS))
    assert "- **Northside Helpline**: anyone worried about a partner · 0800 555 0101" in box
    assert "Crisis Text Service" in box and "No support contacts" not in box
    page = guide_html(tiny, support=CONTACTS).split('<div class="section">')[0]
    assert '<a href="tel:08005550101">0800 555 0101</a>' in page


def _last_slide(deck: str) -> str:
    slides: list[str] = re.findall(r"<section[^>]*>.*?</section>", deck, flags=re.DOTALL)
    return slides[-1]


def test_the_decks_last_slide_lists_the_support_contacts(tiny: Module) -> None:
    last = _last_slide(deck_html(tiny, JOIN_URL, support=CONTACTS))
    assert 'data-section="support"' in last
    assert "Northside Helpline" in last and "0800 555 0101" in last and "Text HELLO to 85258" in last


def test_without_contacts_the_last_slide_asks_for_the_support_sheet(tiny: Module) -> None:
    last = _last_slide(deck_html(tiny, JOIN_URL))
    assert "ask the facilitator for the support sheet" in last
    shown = re.sub(r"<[^>]+>", " ", last.split('<aside class="notes">')[0])
    assert not re.search(r"\d", shown) and "tel:" not in last  # no placeholder number anyone could dial


def test_a_sections_safety_note_comes_first_in_its_speaker_notes() -> None:
    module = find_module("leaving-and-loss")
    deck = deck_html(module, JOIN_URL)
    section = module.section("fearer-side")
    slide = re.search(r'<section data-section="fearer-side">.*?</section>', deck, flags=re.DOTALL)
    assert slide is not None
    notes = slide[0].split('<aside class="notes">')[1]
    assert section.notes.startswith("Talking points:")
    assert notes.index(html.escape(section.safety.split(".")[0])) < notes.index("Talking points:")
    title_slide = re.findall(r"<section[^>]*>.*?</section>", deck, flags=re.DOTALL)[0]
    assert "coercive control or intimidation" in title_slide  # the module's note, before the session


def test_the_guide_and_deck_commands_take_the_support_file(tmp_path: Path, tiny: Module) -> None:
    from workshop.cli import main

    support = tmp_path / "support.yaml"
    support.write_text(
        "support:\n  - name: Northside Helpline\n    for: anyone worried about a partner\n"
        '    phone: "0800 555 0101"\n'
    )
    out = tmp_path / "out"
    assert main(["guide", tiny.origin, "--out", str(out), "--support", str(support)]) == 0
    assert (
        main(["slides", tiny.origin, "--out", str(out), "--join-url", JOIN_URL, "--support", str(support)])
        == 0
    )
    assert "Northside Helpline" in _safety_box((out / "tiny-guide.md").read_text())
    assert "0800 555 0101" in _last_slide((out / "tiny.html").read_text())
