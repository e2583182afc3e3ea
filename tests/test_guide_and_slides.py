"""The printed guide and the slides: complete, up to date with their modules, and working offline."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from workshop.content import BUILT_IN_FOLDER, Module, find_module, load_module
from workshop.guide import guide_html, guide_markdown, write_guide
from workshop.slides import deck_html, write_deck

ROOT = Path(__file__).parent.parent
SLIDES = ROOT / "slides"
BUILT_IN = [load_module(path) for path in sorted(BUILT_IN_FOLDER.glob("*.yaml"))]
JOIN_URL = "http://192.168.1.10:8866/"


@pytest.mark.parametrize("module", BUILT_IN, ids=[m.id for m in BUILT_IN])
def test_the_guide_has_every_section_poll_and_both_paths(module: Module) -> None:
    page, text = guide_html(module), guide_markdown(module)
    for section in module.sections:
        assert html.escape(section.title) in page and section.title in text
    for poll in module.polls:
        assert html.escape(poll.prompt) in page and poll.prompt in text
        for option in poll.options:
            assert html.escape(option) in page
    assert f"{module.duration}-minute path" in page
    assert "45-minute path" in page and "45-minute path" in text
    assert "Safety notes" in page and "Safety notes" in text
    assert module.source is not None and html.escape(module.source.title) in page


@pytest.mark.parametrize("module", BUILT_IN, ids=[m.id for m in BUILT_IN])
def test_the_deck_has_a_join_slide_and_a_slide_per_section_with_speaker_notes(module: Module) -> None:
    deck = deck_html(module, JOIN_URL)
    shown = re.findall(r'<section data-section="([^"]+)">', deck)
    assert shown == ["join", *(section.id for section in module.sections), "support"]
    assert "<svg" in deck and JOIN_URL in deck
    assert deck.count('<aside class="notes">') == len(module.sections) + 3
    for poll in module.polls:
        assert html.escape(poll.prompt) in deck
    # Nothing is fetched: no address outside the page is ever loaded.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", deck)
    assert "@import" not in deck


def test_a_trainers_module_file_gets_a_guide_and_a_deck(tmp_path: Path, tiny: Module) -> None:
    from workshop.cli import main

    assert main(["guide", tiny.origin, "--out", str(tmp_path)]) == 0
    assert main(["slides", tiny.origin, "--out", str(tmp_path), "--join-url", JOIN_URL]) == 0
    assert (tmp_path / "tiny-guide.html").is_file() and (tmp_path / "tiny-guide.md").is_file()
    assert JOIN_URL in (tmp_path / "tiny.html").read_text()


DECKS = sorted(SLIDES.glob("*.html"))


def test_every_built_in_module_has_a_deck_in_slides() -> None:
    assert {path.stem for path in DECKS} == {module.id for module in BUILT_IN}


@pytest.mark.parametrize("deck", DECKS, ids=[p.name for p in DECKS])
def test_a_deck_in_slides_is_up_to_date_with_its_module(deck: Path) -> None:
    text = deck.read_text(encoding="utf-8")
    module_id = re.search(r'<meta name="workshop-module" content="([^"]+)">', text)
    join_url = re.search(r'<meta name="workshop-join-url" content="([^"]+)">', text)
    assert module_id and join_url
    fresh = deck_html(find_module(module_id[1]), html.unescape(join_url[1]))
    assert text == fresh, (
        f"{deck.relative_to(ROOT)} is out of date with its module — run: "
        f"workshop slides {module_id[1]} --join-url {html.unescape(join_url[1])}"
    )


def offline_page(chromium: Any, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    """A page whose every request is recorded; anything that would leave the machine is refused."""
    context = chromium.new_context(viewport=viewport)
    requested: list[str] = []

    def record(route: Any) -> None:
        requested.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(https?|wss?)://"), record)
    return context.new_page(), requested


def test_a_deck_opens_and_navigates_with_no_network(chromium: Any, tmp_path: Path) -> None:
    module = BUILT_IN[0]
    deck = write_deck(module, tmp_path, JOIN_URL)
    page, requested = offline_page(chromium, {"width": 1280, "height": 720})
    page.goto(deck.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    assert page.evaluate("Reveal.getTotalSlides()") == len(module.sections) + 4
    page.keyboard.press("ArrowRight")
    page.wait_for_function("Reveal.getIndices().h === 1")
    assert page.locator("section.present svg").count() == 1  # the join slide's QR code
    page.keyboard.press("ArrowRight")
    page.wait_for_function("Reveal.getIndices().h === 2")
    assert module.sections[0].title in page.locator("section.present h2").inner_text()
    with page.context.expect_page() as opened:
        page.keyboard.press("s")  # the speaker view, with this slide's notes
    speaker = opened.value
    speaker.wait_for_load_state()
    speaker.wait_for_function("document.body && document.body.innerText.includes('minutes')")
    assert requested == [], f"the deck asked the network for {requested}"
    page.context.close()


@pytest.mark.parametrize(("paper", "printable_px"), [("A4", 688), ("Letter", 710)])
def test_the_guide_prints_on_a4_and_letter_without_running_off_the_page(
    chromium: Any, tmp_path: Path, paper: str, printable_px: int
) -> None:
    """Printable width: the paper less the guide's 14 mm margins, at 96 px to the inch."""
    page_file, _ = write_guide(BUILT_IN[0], tmp_path)
    page, requested = offline_page(chromium, {"width": printable_px, "height": 1000})
    page.goto(page_file.as_uri())
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= printable_px
    pdf = page.pdf(format=paper, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages > len(BUILT_IN[0].sections)  # each section starts a page
    assert requested == []
    page.context.close()


def test_the_guide_gathers_each_whole_safety_note_up_front() -> None:
    module = find_module("leaving-and-loss")
    text = guide_markdown(module)
    up_front = text[text.index("## Safety notes") : text.index("## Agenda")]
    assert "coercive control or intimidation" in up_front
    assert "If someone discloses" in up_front and "support sheet" in up_front
    assert "Transition:" not in up_front  # the running parts of the notes stay in their section
    for section in module.sections:  # and each section's note stays in its own page too
        if section.safety:
            page = text[text.index(f". {section.title}\n") :]
            assert "### Safety\n\n" + section.safety.splitlines()[0] in page
