"""The printed guide and the slides: complete, up to date with their modules, and working offline."""

from __future__ import annotations

import html
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from workshop.content import BUILT_IN_FOLDER, Module, find_module, load_module
from workshop.guide import guide_html, guide_markdown, write_guide
from workshop.prose import to_html
from workshop.sessions import participant_url, qr_svg
from workshop.slides import deck_html, write_deck
from workshop.support import Contact

ROOT = Path(__file__).parent.parent
SLIDES = ROOT / "slides"
ALL_BUILT_IN = [load_module(path) for path in sorted(BUILT_IN_FOLDER.glob("*.yaml"))]
# The checks that read English headings and words run on the English modules; the Spanish ones are checked
# by the language-neutral tests (ALL_BUILT_IN) and by the test that a Spanish module speaks Spanish.
BUILT_IN = [module for module in ALL_BUILT_IN if module.language == "en"]
SPANISH_BUILT_IN = [module for module in ALL_BUILT_IN if module.language == "es"]
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
def test_the_guide_opens_with_a_run_sheet_and_what_to_do_before_the_session(module: Module) -> None:
    text = guide_markdown(module)
    run_sheet = text[text.index("## Run sheet") : text.index("## Before the session")]
    rows = [line for line in run_sheet.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(module.sections)
    assert rows[0].startswith("| 0:00–0:10 | 0:00–0:10 | 1. ")  # both paths start at the top of the hour
    assert "Each partner" in run_sheet  # each section's exercise, in brief
    before = text[text.index("## Before the session") : text.index("## Safety notes")]
    for protocol in ("at intake", "referral partners", "`workshop support`", "phones angled away"):
        assert protocol in before
    assert "co-facilitator" in before and "on paper" in before
    # Each section's heading carries its clock time on the full path.
    clock = 0
    for number, section in enumerate(module.sections, start=1):
        end = clock + section.minutes
        span = f"{clock // 60}:{clock % 60:02d}–{end // 60}:{end % 60:02d}"
        assert f"## {number}. {section.title} ({span})" in text
        clock += section.minutes


@pytest.mark.parametrize("module", BUILT_IN, ids=[m.id for m in BUILT_IN])
def test_the_deck_has_a_join_slide_and_a_slide_per_section_with_speaker_notes(module: Module) -> None:
    deck = deck_html(module, JOIN_URL)
    shown = re.findall(r'<section data-section="([^"]+)">', deck)
    # The group agreement after the opening, the reflection questions after their section.
    sections = [section.id for section in module.sections]
    sections.insert(sections.index("opening") + 1, "agreement")
    sections.insert(sections.index("reflection") + 1, "questions")
    assert shown == ["join", *sections, "support"]
    assert "<svg" in deck and JOIN_URL in deck
    assert deck.count('<aside class="notes">') == len(module.sections) + 5
    for poll in module.polls:
        assert html.escape(poll.prompt) in deck
    agreement = re.search(r'<section data-section="agreement">.*?</section>', deck, flags=re.DOTALL)
    assert agreement and "We talk about patterns, not about who is at fault." in agreement[0]
    # Nothing is fetched: no address outside the page is ever loaded.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", deck)
    assert "@import" not in deck


@pytest.mark.parametrize("module", ALL_BUILT_IN, ids=[m.id for m in ALL_BUILT_IN])
def test_a_slide_carries_a_headline_and_a_few_points_and_the_notes_the_rest(module: Module) -> None:
    deck = deck_html(module, JOIN_URL)
    for slide in re.findall(r"<section[^>]*>.*?</section>", deck, flags=re.DOTALL):
        shown = html.unescape(re.sub(r"<[^>]+>", " ", slide.split('<aside class="notes">')[0]))
        assert len(shown.split()) <= 75, f"too many words for the room: {shown}"
    for section in module.sections:
        slide = re.search(rf'<section data-section="{section.id}">.*?</section>', deck, flags=re.DOTALL)
        assert slide is not None
        room, notes = slide[0].split('<aside class="notes">')
        assert html.escape(section.text.split("\n")[0]) not in room  # the whole text is on the phones
        assert to_html(section.text) in notes


def test_the_join_slide_shows_the_join_code_when_given(tmp_path: Path) -> None:
    from workshop.cli import main

    module = BUILT_IN[0]
    assert (
        main(["slides", module.id, "--out", str(tmp_path), "--join-url", JOIN_URL, "--join-code", "h7k2m"])
        == 0
    )
    deck = (tmp_path / f"{module.id}.html").read_text()
    join = re.search(r'<section data-section="join">.*?</section>', deck, flags=re.DOTALL)
    assert join is not None and '<p class="code">H7K2M</p>' in join[0] and JOIN_URL in join[0]
    # The QR code carries the code, so one scan joins: it differs from the address-only one.
    assert qr_svg(participant_url(JOIN_URL, "H7K2M"), scale=8) in join[0]
    without = deck_html(module, JOIN_URL)
    assert 'class="code"' not in without and qr_svg(JOIN_URL, scale=8) in without
    assert main(["slides", module.id, "--out", str(tmp_path), "--join-code", "not a code"]) == 1
    # The session's address as the console shows it, code and all, does the same as --join-code.
    assert (
        main(["slides", module.id, "--out", str(tmp_path), "--join-url", participant_url(JOIN_URL, "h7k2m")])
        == 0
    )
    pasted = (tmp_path / f"{module.id}.html").read_text()
    assert re.search(r'<section data-section="join">.*?</section>', pasted, flags=re.DOTALL)[0] == join[0]


def test_a_trainers_module_file_gets_a_guide_and_a_deck(tmp_path: Path, tiny: Module) -> None:
    from workshop.cli import main

    assert main(["guide", tiny.origin, "--out", str(tmp_path)]) == 0
    assert main(["slides", tiny.origin, "--out", str(tmp_path), "--join-url", JOIN_URL]) == 0
    assert (tmp_path / "tiny-guide.html").is_file() and (tmp_path / "tiny-guide.md").is_file()
    assert JOIN_URL in (tmp_path / "tiny.html").read_text()


DECKS = sorted(SLIDES.glob("*.html"))


def test_every_built_in_module_has_a_deck_in_slides() -> None:
    assert {path.stem for path in DECKS} == {module.id for module in ALL_BUILT_IN}


@pytest.mark.parametrize("deck", DECKS, ids=[p.name for p in DECKS])
def test_a_deck_in_slides_is_up_to_date_with_its_module(deck: Path) -> None:
    text = deck.read_text(encoding="utf-8")
    module_id = re.search(r'<meta name="workshop-module" content="([^"]+)">', text)
    join_url = re.search(r'<meta name="workshop-join-url" content="([^"]+)">', text)
    assert module_id and join_url
    join_code = re.search(r'<meta name="workshop-join-code" content="([^"]+)">', text)
    fresh = deck_html(
        find_module(module_id[1]), html.unescape(join_url[1]), join_code=join_code[1] if join_code else ""
    )
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
    assert page.evaluate("Reveal.getTotalSlides()") == len(module.sections) + 6
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


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def text_objects_per_page(pdf: bytes) -> list[int]:
    """How many runs of text each page draws: Chromium writes one compressed content stream per page."""
    counts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"\nBT\n" in content:
            counts.append(content.count(b"\nBT\n"))
    return counts


@pytest.mark.parametrize(("paper", "printable_px"), [("A4", 688), ("Letter", 710)])
def test_the_guide_prints_on_a4_and_letter_numbered_and_without_running_off_the_page(
    chromium: Any, tmp_path: Path, paper: str, printable_px: int
) -> None:
    """Printable width: the paper less the guide's 14 mm margins, at 96 px to the inch.

    Page numbers: the same guide printed again with its `@bottom-center` page number removed draws
    exactly one run of text fewer on every page, so each page carries its number in the margin.
    """
    module = BUILT_IN[0]
    page_file, _ = write_guide(module, tmp_path)
    page, requested = offline_page(chromium, {"width": printable_px, "height": 1000})
    page.goto(page_file.as_uri())
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= printable_px
    pdf = page.pdf(format=paper, print_background=True)
    pages = pdf_pages(pdf)
    assert pdf.startswith(b"%PDF") and pages >= 3
    page.add_style_tag(content="@page { @bottom-center { content: none } }")
    unnumbered = page.pdf(format=paper, print_background=True)
    # Sections run on: a page break before each would leave half-empty pages, and more of them.
    page.add_style_tag(content=".section { break-before: page }")
    assert pdf_pages(page.pdf(format=paper, print_background=True)) > pages
    numbered, plain = text_objects_per_page(pdf), text_objects_per_page(unnumbered)
    assert len(numbered) == len(plain) == pages
    assert [a - b for a, b in zip(numbered, plain, strict=True)] == [1] * pages
    assert requested == []
    page.context.close()


@pytest.mark.parametrize("module", ALL_BUILT_IN, ids=[m.id for m in ALL_BUILT_IN])
@pytest.mark.parametrize(
    ("printable_px", "printable_height_px"), [(688, 1016), (710, 950)], ids=["A4", "Letter"]
)
def test_no_part_of_any_guide_runs_off_the_page_and_the_run_sheet_fits_one(
    chromium: Any, tmp_path: Path, module: Module, printable_px: int, printable_height_px: int
) -> None:
    """Every element of each built-in guide, measured against the paper less the 14 mm margins."""
    page_file, _ = write_guide(module, tmp_path)
    page, requested = offline_page(chromium, {"width": printable_px, "height": 1000})
    page.goto(page_file.as_uri())
    page.emulate_media(media="print")
    too_wide = page.evaluate(
        f"""[...document.body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > {printable_px} + 0.5)
            .map(e => e.tagName + ': ' + e.textContent.slice(0, 60))"""
    )
    assert too_wide == []
    run_sheet = page.evaluate("document.querySelector('.run-sheet').getBoundingClientRect().height")
    assert run_sheet <= printable_height_px, (
        f"the run sheet needs {run_sheet:.0f} px of {printable_height_px}"
    )
    assert requested == []
    page.context.close()


# Three contacts, so that the last slide and the handout are measured at their fullest.
CONTACTS = (
    Contact(
        name="Northside Domestic Abuse Helpline",
        for_="anyone worried about a partner's behaviour, free and confidential",
        phone="0800 555 0101",
        web="northside-helpline.example.org",
        hours="every day, day and night",
    ),
    Contact(
        name="Crisis Text Service",
        for_="anyone struggling to cope",
        text="Text HELLO to 85258",
        web="crisis.example.org",
        hours="24/7",
    ),
    Contact(name="Emergency services", for_="immediate danger", phone="112"),
)
SLIDE_BOX = """() => {
  const area = document.querySelector('.reveal .slides').getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(Reveal.getCurrentSlide());
  const box = range.getBoundingClientRect();
  return {area: [area.left, area.top, area.right, area.bottom],
          box: [box.left, box.top, box.right, box.bottom],
          title: (Reveal.getCurrentSlide().querySelector('h1, h2') || {}).textContent};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=["1920x1080", "1280x720"])
@pytest.mark.parametrize("module", ALL_BUILT_IN, ids=[m.id for m in ALL_BUILT_IN])
def test_no_slide_overflows_the_projector(
    chromium: Any, tmp_path: Path, module: Module, size: tuple[int, int]
) -> None:
    """Every slide's content lies inside the slide area, at full HD and at 720p.

    reveal.js lays each slide out at its own size (1280×720) and scales the `.slides` box to the window,
    so a slide that is too full spills past that box rather than showing a scroll bar. For each slide
    the test takes the bounding box of everything in it (a DOM Range over the slide's contents: text,
    lists, the QR code; the speaker notes are hidden, so they take no room) and the box of `.slides`,
    both in window coordinates after the same scaling, and checks that the first lies inside the second.
    The deck is written with a join code and three support contacts, its fullest form.
    """
    deck = write_deck(module, tmp_path, JOIN_URL, support=CONTACTS, join_code="H7K2M")
    page, requested = offline_page(chromium, {"width": size[0], "height": size[1]})
    page.goto(deck.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    page.evaluate("Reveal.configure({transition: 'none', hash: false})")
    total = page.evaluate("Reveal.getTotalSlides()")
    for index in range(total):
        page.evaluate(f"Reveal.slide({index}); Reveal.layout()")
        page.wait_for_function(f"Reveal.getIndices().h === {index}")
        found = page.evaluate(SLIDE_BOX)
        (left, top, right, bottom), (x0, y0, x1, y1) = found["area"], found["box"]
        assert left - 1 <= x0 and top - 1 <= y0 and x1 <= right + 1 and y1 <= bottom + 1, (
            f"slide {index} ({found['title']}) runs past the slide area at {size}: {found}"
        )
    assert requested == []
    page.context.close()


def test_the_guide_gathers_each_whole_safety_note_up_front() -> None:
    module = find_module("leaving-and-loss")
    text = guide_markdown(module)
    up_front = text[text.index("## Safety notes") : text.index("## 1. ")]
    assert "coercive control or intimidation" in up_front
    assert "If someone discloses" in up_front and "support sheet" in up_front
    assert "Transition:" not in up_front  # the running parts of the notes stay in their section
    for section in module.sections:  # and each section's note stays in its own page too
        if section.safety:
            page = text[text.index(f". {section.title} (") :]
            assert "### Safety\n\n" + section.safety.splitlines()[0] in page


SPANISH = [load_module(ROOT / "tests" / "modules" / "tiny-es.yaml"), *SPANISH_BUILT_IN]


@pytest.mark.parametrize("module", SPANISH, ids=[m.id for m in SPANISH])
def test_the_guide_slides_and_handout_of_a_spanish_module_speak_spanish(module: Module) -> None:
    """No English heading or label of the guide, slides or handout appears in a Spanish module's."""
    from workshop.handout import handout_html
    from workshop.language import BUILT_IN_STRINGS, read_strings

    rendered = [
        guide_html(module),
        guide_markdown(module),
        deck_html(module, JOIN_URL, join_code="H7K2M"),
        handout_html(module),
    ]
    shown = "\n".join(
        html.unescape(re.sub(r"<style>.*?</style>|<script>.*?</script>|<[^>]+>", " ", page, flags=re.DOTALL))
        for page in rendered
    )
    english, spanish = (read_strings(BUILT_IN_STRINGS / f"{code}.json") for code in ("en", "es"))
    for key, entry in english.items():
        if not key.startswith(("guide.", "slides.", "handout.")):
            continue
        for text in entry.values() if isinstance(entry, dict) else [entry]:
            # The words between placeholders; a word Spanish shares (such as "Min.") is no sign of English.
            for words in re.split(r"\{[^}]*\}", text):
                words = words.strip(" ·.,:;()")
                if len(words) >= 4 and words not in str(spanish[key]):
                    assert words not in shown, f"'{words}' ({key}) is English in a Spanish module"
    assert "Hoja de ruta" in shown and "Entra desde tu móvil" in shown and "Para llevar a casa" in shown
