"""The take-home sheet: the exercises, questions, a practice for the week and support, on two pages."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_guide_and_slides import ALL_BUILT_IN, BUILT_IN, CONTACTS, offline_page, pdf_pages
from workshop.content import Module, find_module
from workshop.handout import handout_html, write_handout
from workshop.prose import exercise, reflection_questions


@pytest.mark.parametrize("module", BUILT_IN, ids=[m.id for m in BUILT_IN])
def test_the_sheet_has_every_exercise_the_questions_and_a_practice_for_the_week(module: Module) -> None:
    sheet = handout_html(module)
    for section in module.sections:
        if exercise(section):
            assert html.escape(exercise(section)) in sheet
    for question in reflection_questions(module)[1]:
        assert html.escape(question) in sheet
    practice = sheet[sheet.index("One practice for this week") : sheet.index("Exercises to try at home")]
    assert "this week" in practice.split("</h2>")[1]  # the closing section's step for the week
    assert "Couple exercise:" not in sheet and "Talking points" not in sheet  # the facilitator's words stay


def test_the_sheet_lists_the_support_contacts_or_says_to_ask_for_them(tiny: Module) -> None:
    assert "Northside Domestic Abuse Helpline" in handout_html(tiny, support=CONTACTS)
    without = handout_html(tiny)
    assert "ask the facilitator for the support sheet" in without.lower()
    shown = re.sub(r"<style>.*?</style>|<[^>]+>", " ", without, flags=re.DOTALL)
    assert not re.search(r"\d", shown) and "tel:" not in without  # no placeholder number anyone could dial


def test_the_sheet_names_nobody_and_is_the_same_for_everyone(tmp_path: Path) -> None:
    from workshop.cli import main

    module = find_module("leaving-and-loss")
    assert main(["handout", module.id, "--out", str(tmp_path)]) == 0
    written = (tmp_path / f"{module.id}-handout.html").read_text()
    assert written == handout_html(module)  # nothing from a session, a date or a person goes in
    assert "http" not in written and "code" not in written.lower()


@pytest.mark.parametrize(("paper", "printable_px"), [("A4", 688), ("Letter", 710)])
@pytest.mark.parametrize("module", ALL_BUILT_IN, ids=[m.id for m in ALL_BUILT_IN])
def test_the_sheet_prints_on_at_most_two_pages_of_a4_and_letter(
    chromium: Any, tmp_path: Path, module: Module, paper: str, printable_px: int
) -> None:
    """Printable width: the paper less the sheet's 14 mm margins, at 96 px to the inch. The sheet is
    printed with three support contacts, its fullest form."""
    page_file = write_handout(module, tmp_path, support=CONTACTS)
    page, requested = offline_page(chromium, {"width": printable_px, "height": 1000})
    page.goto(page_file.as_uri())
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= printable_px
    pdf = page.pdf(format=paper, print_background=True)
    assert pdf.startswith(b"%PDF") and 1 <= pdf_pages(pdf) <= 2
    assert requested == []
    page.context.close()
