"""Drafting a module from an article in the series' plain-text shape: the parts found, and a valid draft.

The articles under tests/articles are written for these tests (made-up couple dynamics in the series'
shape); the real ones in ../shared/articles are imported too when they are present.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workshop.article_import import (
    ARTICLE_SIZE_LIMIT,
    Article,
    ItemList,
    Part,
    draft_module,
    import_article,
    parse_article,
)
from workshop.content import ID_PATTERN, Module, load_module
from workshop.errors import ModuleError
from workshop.prose import reflection_questions

ARTICLES = Path(__file__).parent / "articles"
MALFORMED = ARTICLES / "malformed"
REAL_ARTICLES = Path(os.environ.get("WORKSHOP_ARTICLES") or Path(__file__).parents[2] / "shared" / "articles")
OWN_WORDS = "must be rewritten in your own words before use"


def draft(tmp_path: Path, article: Path, module_id: str | None = None) -> tuple[str, Module]:
    """The draft's YAML text, and the module it loads as (checked by the kit's own loader)."""
    text = import_article(article, module_id)
    path = tmp_path / f"{module_id or 'draft'}.yaml"
    path.write_text(text, encoding="utf-8")
    return text, load_module(path)


def parse(name: str) -> Article:
    return parse_article((ARTICLES / name).read_bytes().decode("utf-8-sig"))


def headings(article: Article) -> list[str]:
    return [part.heading for part in article.parts]


# --- the parts found ------------------------------------------------------------------------------------


def test_the_planner_article_is_read_into_its_parts() -> None:
    article = parse("planner-improviser.txt")
    assert article.title == "Power Imbalance #9: The Planner and the Improviser"
    # Sentence-case short lines ('Childhood routines') are sub-headings in a Title Case article.
    assert headings(article) == [
        "",
        "What This Pattern Looks Like",
        "How It Feels for the Planner",
        "How It Feels for the Improviser",
        "Where the Pattern Comes From",
        "What Balance Can Look Like",
        "Questions for Reflection",
        "Moving Forward Together",
    ]
    looks_like = article.parts[1]
    assert [lst.lead_in for lst in looks_like.lists] == ["The planner tends to:", "The improviser tends to:"]
    assert looks_like.lists[1].items[0] == "Say “Let’s see how we feel”"
    assert looks_like.paragraphs == ("Neither habit is a flaw on its own.",)  # it ends the list
    planner, improviser = article.parts[2], article.parts[3]
    assert planner.thoughts[0].lead_in == "They may think:"
    assert planner.thoughts[0].lines[0] == "“If I don’t organise it, nobody will.”"
    assert improviser.thoughts[0].lead_in == "They might think:"
    assert len(improviser.thoughts[0].lines) == 2
    # A connector ('And …') ends a list; a Title Case heading does too.
    assert planner.lists[0].items[-1] == "Worried they come across as controlling"
    assert improviser.lists[0].items == (
        "Managed rather than loved",
        "Guilty for wanting freedom",
        "Quietly stubborn",
    )
    origins = article.parts[4].paragraphs
    assert "Childhood routines: One partner grew up in a home where meals happened at six sharp." in origins
    assert len(article.parts[5].lists[0].items) == 4  # items ending with a full stop are a list too
    assert article.reflection_questions == (
        "Who holds the calendar in our home?",
        "When plans change, who adjusts?",
        "What would one unplanned afternoon feel like for each of us?",
    )
    # A lead-in whose sentence goes on in lowercase is prose, kept whole.
    assert article.parts[0].paragraphs[-1].startswith("Over time, the calendar itself can become")
    assert article.parts[0].paragraphs[-1].endswith("decides when nothing happens.")


def test_crlf_and_odd_spacing_are_read_like_the_plain_shape() -> None:
    raw = (ARTICLES / "peacekeeper-storm-crlf.txt").read_bytes()
    assert b"\r\n" in raw and raw.startswith("\ufeff".encode())  # the file really has them
    article = parse("peacekeeper-storm-crlf.txt")
    assert article.title == "Power Imbalance #11: The Peacekeeper and the Storm"
    assert headings(article) == [
        "",
        "What the Pattern Looks Like",
        "How It Feels Inside",
        "Reflection Questions",
    ]
    assert article.parts[0].paragraphs == (
        "In some couples one partner keeps the peace at any price, while the other lets every feeling out "
        "at full volume.",
    )
    peacekeeper, storm = article.parts[1].lists
    assert peacekeeper == ItemList(
        "The peacekeeper often:",
        ("Agrees quickly to end a row", "Hides small annoyances", "Changes the subject when voices rise"),
    )
    assert storm.items[0] == "Raises their voice to be heard"  # tab and bullet gone
    feels, thinks = article.parts[2].thoughts
    assert feels.lead_in == "The peacekeeper may feel:"
    assert thinks.lines == ('"At least I say what I mean."', '"Why won\'t you ever fight back?"')
    assert len(article.reflection_questions) == 3  # standalone questions, blank lines between them


def test_an_article_with_sentence_case_headings() -> None:
    article = parse("saver-spender-sentence-case.txt")
    assert headings(article) == [
        "",
        "What it looks like",
        "How it feels",
        "Small steps forward",
        "Questions to talk over",
    ]
    # 'How it feels' right after a list is a heading (it starts with a question word); 'Small steps
    # forward' stands after a blank line.
    assert article.parts[1].lists[1].items[-1] == "Avoids looking at the statements"
    assert article.parts[1].lists[0].items[1] == "Questions every larger purchase"
    assert len(article.parts[2].lists[0].items) == 3
    assert len(article.reflection_questions) == 2


def test_list_heuristics_on_small_texts() -> None:
    text = "\n".join(
        [
            "A Title Line",
            "First Heading",
            "One short line after a lead-in is prose:",
            "Only this one.",
            "It is worth asking:",
            "Do we plan together?",
            "Do we rest together?",
            "They may feel:",
            "Tired",
            "Unseen",
            "So they stop asking.",
        ]
    )
    part = parse_article(text).parts[0]
    assert part.heading == "First Heading"
    assert part.paragraphs[:2] == ("One short line after a lead-in is prose:", "Only this one.")
    asked, felt = part.lists
    assert asked.is_questions and not felt.is_questions
    assert felt.items == ("Tired", "Unseen")
    assert part.paragraphs[-1] == "So they stop asking."
    assert parse_article(text).reflection_questions == ()  # questions outside a reflection part


def test_a_double_spaced_article_reads_as_if_it_were_not() -> None:
    lines = ["The Title", "What It Looks Like", "They tend to:", "Rush", "Hurry", "Reflection", "Why now?"]
    article = parse_article("\n\n".join(lines))
    assert article.parts[0].lists[0].items == ("Rush", "Hurry")
    assert article.reflection_questions == ("Why now?",)


# --- the draft -------------------------------------------------------------------------------------------


def test_the_draft_of_the_planner_article_is_a_valid_module(tmp_path: Path) -> None:
    text, module = draft(tmp_path, ARTICLES / "planner-improviser.txt")
    assert module.id == "power-imbalance-9-the-planner-and-the-improviser"
    assert module.title == "Power Imbalance #9: The Planner and the Improviser"
    assert module.source and module.source.title == module.title
    assert module.source.publisher == "REVIEW: publisher"
    assert [s.title for s in module.sections] == ["Opening", *headings(parse("planner-improviser.txt"))[1:]]
    assert module.duration == sum(s.minutes for s in module.sections) == 80
    checklists = [p for p in module.polls if p.kind == "multiple"]
    assert len(checklists) == 5
    assert checklists[0].prompt == (
        "Which of these do you recognise? (What This Pattern Looks Like — The planner tends to)"
    )
    assert checklists[2].prompt == "Which of these do you recognise? (How It Feels for the Planner)"
    assert checklists[0].options == (
        "Book things weeks ahead",
        "Keep a shared list of chores",
        "Ask for answers before the weekend",
        "Feel uneasy when plans change late",
        "None of these",
    )
    assert checklists[-1].options[0] == "Both partners take turns holding the plan"  # no final full stop
    assert all(p.options[-1] == "None of these" for p in checklists)
    # Reflection questions are private prompts in the notes, never collected from a phone.
    assert not [p for p in module.polls if p.kind == "text"]
    reflection = module.section("questions-for-reflection")
    assert reflection.polls == ()
    assert "These questions are a starting point" in reflection.notes
    assert reflection_questions(module) == (
        reflection,
        list(parse("planner-improviser.txt").reflection_questions),
    )
    assert module.safety.startswith("REVIEW: the signs to watch for")
    assert "\n# REVIEW: the session's safety guidance" in text
    planner = module.section("how-it-feels-for-the-planner")
    assert "Material (They may think): “If I don’t organise it, nobody will.”" in planner.notes
    assert "Article says: The planner often carries the future alone." in planner.notes
    for section in module.sections:
        assert section.text.startswith("REVIEW: write 2–3 warm sentences")
        assert section.notes.startswith("REVIEW:")
        assert ID_PATTERN.match(section.id)
    # The header, and a '# REVIEW' comment above every drafted section and poll.
    assert text.startswith("# DRAFT drawn from planner-improviser.txt")
    assert OWN_WORDS in text
    assert text.count("  # REVIEW: drafted from the heading") == len(module.sections)
    assert text.count("  # REVIEW: a checklist") == len(module.polls)


def test_drafts_of_the_other_test_articles_are_valid(tmp_path: Path) -> None:
    _, storm = draft(tmp_path, ARTICLES / "peacekeeper-storm-crlf.txt", "storm")
    assert [s.id for s in storm.sections] == [
        "opening",
        "what-the-pattern-looks-like",
        "how-it-feels-inside",
        "reflection-questions",
    ]
    assert [p.kind for p in storm.polls] == ["multiple", "multiple"]
    assert "- Who in our home lowers their voice first?" in storm.section("reflection-questions").notes
    assert storm.section("how-it-feels-inside").polls == ()
    assert "“My needs can wait.”" in storm.section("how-it-feels-inside").notes
    _, saver = draft(tmp_path, ARTICLES / "saver-spender-sentence-case.txt", "saver")
    assert len(saver.sections) == 5 and len(saver.polls) == 3


def test_draft_rules_ids_options_and_a_reflection_section_of_its_own(tmp_path: Path) -> None:
    long_heading = "A Very Long Heading About How Two People Share the Plans " * 2
    long_item = "An item that goes on and on about calendars, diaries, lists and reminders for ever more"
    lists = (ItemList("They tend to:", (long_item, "Plan.", "Plan", "Rest")),)
    article = Article(
        "Made-up Title",
        (Part(long_heading, lists), Part(long_heading, lists)),
        ("What would help?",),  # questions with no reflection part: the draft adds one
    )
    text = draft_module(article, "made-up", "notes/made-up.txt")
    path = tmp_path / "made-up.yaml"
    path.write_text(text, encoding="utf-8")
    module = load_module(path)
    first, second, reflection = module.sections
    assert len(first.id) <= 60 and second.id != first.id and len(second.id) <= 60
    assert reflection.title == "Reflection" and reflection.polls == ()
    assert "Put these questions on screen:\n- What would help?" in reflection.notes
    options = module.poll(first.polls[0]).options
    assert options[1:] == ("Plan", "Rest", "None of these")  # a final full stop dropped, a repeat left out
    assert len(options[0]) <= 80 and options[0].endswith("…")


def test_a_module_id_can_be_given_but_must_be_an_id(tmp_path: Path) -> None:
    _, module = draft(tmp_path, ARTICLES / "planner-improviser.txt", "planner-draft")
    assert module.id == "planner-draft"
    with pytest.raises(ModuleError, match="lowercase letters, digits and hyphens"):
        import_article(ARTICLES / "planner-improviser.txt", "Not An Id")


# --- what is not such an article --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("one-paragraph.txt", "found no title: the first line reads as a sentence"),
        ("no-headings.txt", "found no headings"),
        ("no-lists.txt", "found nothing that looks like a list or reflection questions"),
        ("article.html", "found HTML markup; save the article as plain text"),
    ],
)
def test_a_text_of_another_shape_gets_a_message_saying_what_was_expected(name: str, found: str) -> None:
    with pytest.raises(ModuleError) as raised:
        import_article(MALFORMED / name)
    message = str(raised.value)
    assert message.startswith(str(MALFORMED / name))
    assert "expected a plain-text article: a title line, then short heading lines" in message
    assert found in message


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "found an empty file"),
        (b" \r\n\t\n", "found an empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "found a file that is not UTF-8 text"),
        (b"Title\x00\x00Heading", "found binary data"),
    ],
)
def test_an_empty_or_binary_file_gets_a_clear_message(tmp_path: Path, content: bytes, found: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    with pytest.raises(ModuleError, match="expected a plain-text article") as raised:
        import_article(path)
    assert found in str(raised.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ModuleError, match="cannot read the article"):
        import_article(tmp_path / "nowhere.txt")


# --- the real articles of the series ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["power-imbalance-3-pursuer-avoider.txt", "power-imbalance-7-threatens-leaving.txt"]
)
def test_the_series_articles_import_into_valid_drafts(tmp_path: Path, name: str) -> None:
    if not (REAL_ARTICLES / name).is_file():
        pytest.skip(
            f"the series' articles are not here ({REAL_ARTICLES}); set WORKSHOP_ARTICLES to their folder"
        )
    text, module = draft(tmp_path, REAL_ARTICLES / name)
    titles = [s.title for s in module.sections]
    assert 9 <= len(module.sections) <= 12
    assert (
        titles[0] == "Opening" and "Gentle Reflection Questions" in titles and "Change Is Possible" in titles
    )
    assert "How This Pattern Quietly Forms" in titles
    assert "Trauma history" not in titles and "Nervous system responses" not in titles  # sub-headings
    assert [p.kind for p in module.polls].count("text") == 0
    assert len(reflection_questions(module)[1]) == 5
    assert 6 <= [p.kind for p in module.polls].count("multiple") <= 12
    assert "Material (They may think): “" in text
    assert module.duration == sum(s.minutes for s in module.sections)


# --- what the draft leaves the trainer to write ------------------------------------------------------------


def test_markdown_heading_marks_are_not_part_of_titles(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# Power Imbalance #2: The Talker and the Listener",
            "",
            "## What It Looks Like",
            "The talker tends to:",
            "Fill every silence",
            "Answer their own questions",
            "",
            "### Questions for Reflection ###",
            "Who speaks first at dinner?",
        ]
    )
    article = parse_article(text)
    assert article.title == "Power Imbalance #2: The Talker and the Listener"  # '#2' inside is kept
    assert headings(article) == ["What It Looks Like", "Questions for Reflection"]
    path = tmp_path / "talker.yaml"
    path.write_text(draft_module(article, "talker", "talker.md"), encoding="utf-8")
    module = load_module(path)
    assert module.title == article.title
    assert [s.title for s in module.sections] == ["What It Looks Like", "Questions for Reflection"]


def test_each_paragraph_keeps_its_whole_point(tmp_path: Path) -> None:
    _, module = draft(tmp_path, ARTICLES / "planner-improviser.txt", "planner")
    paragraph = parse("planner-improviser.txt").parts[0].paragraphs[1]
    assert paragraph.count(". ") >= 1
    assert f"Article says: {paragraph}" in module.section("opening").notes  # every sentence, not the first


def test_a_very_long_paragraph_ends_at_a_sentence() -> None:
    sentence = "Each partner carries a share of the plan without saying so. "
    article = Article("A Title", (Part("Looks Like", (sentence * 20, ItemList("", ("A", "B")))),), ())
    notes = next(line for line in draft_module(article, "x", "x.txt").splitlines() if "Article says" in line)
    assert notes.endswith("without saying so.") and len(notes) < 760


def test_the_draft_of_each_test_article_is_an_error_until_reviewed_and_a_warning_as_a_draft(
    tmp_path: Path,
) -> None:
    from workshop.readiness_checks import validate_file

    for article, marks in (
        ("planner-improviser.txt", 44),
        ("peacekeeper-storm-crlf.txt", 25),
        ("saver-spender-sentence-case.txt", 30),
    ):
        path = tmp_path / "draft.yaml"
        path.write_text(import_article(ARTICLES / article, "draft"), encoding="utf-8")
        errors = validate_file(path)
        assert len(errors) == marks and not any(p.warning for p in errors), article
        assert all("REVIEW" in p.message for p in errors)
        assert all(p.warning for p in validate_file(path, draft=True))


# --- large articles ---------------------------------------------------------------------------------------


def _long_article(size: int) -> str:
    """An article of the series' shape of about `size` bytes: a title, then the test articles repeated."""
    body = "\n\n".join(path.read_text(encoding="utf-8-sig") for path in sorted(ARTICLES.glob("*.txt")))
    text = "Power Imbalance #1: A Long Article\n" + body * (size // len(body.encode()) + 1)
    return text[: text.rfind("\n", 0, size * 9 // 10) + 1]


def _import(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workshop.cli", "import-article", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,  # generous: the figures are in benchmarks/article_import.py
    )


def test_an_article_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(_long_article(20_000_000), encoding="utf-8")  # 20 MB never finished before the limit
    result = _import(str(path), "--modules", "mine", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"workshop import-article: {path}: the file is {path.stat().st_size / 1e6:.1f} MB, which is larger "
        "than any article can be (at most 200 KB) — check that this is the article file you meant"
    )
    assert not (tmp_path / "mine").exists()


def test_an_article_near_the_size_limit_imports_into_a_draft_that_loads(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(_long_article(ARTICLE_SIZE_LIMIT), encoding="utf-8")
    assert 150_000 < path.stat().st_size <= ARTICLE_SIZE_LIMIT
    result = _import(str(path), "--modules", "mine", "--id", "long", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    module = load_module(tmp_path / "mine" / "long.yaml")
    assert len(module.sections) > 50 and len({s.id for s in module.sections}) == len(module.sections)


def test_repeated_headings_get_numbered_ids_in_order() -> None:
    article = parse_article("Title\n\n" + "".join(f"Same Heading\n\nA line {n}.\n\n" for n in range(5)))
    ids = [
        line.split(": ")[1] for line in draft_module(article, "x", "x.txt").splitlines() if "- id:" in line
    ]
    assert ids == ["same-heading", "same-heading-2", "same-heading-3", "same-heading-4", "same-heading-5"]
