"""Modules as the kit reads them: the built-in ones, snapshots, and the checks a trainer relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.content import Module, find_module, load_module
from workshop.errors import ModuleError
from workshop.prose import blocks

BUILT_IN_MODULES = ["pursuer-avoider", "leaving-and-loss"]


@pytest.mark.parametrize("module_id", BUILT_IN_MODULES)
def test_a_built_in_module_is_a_whole_session(module_id: str) -> None:
    module = find_module(module_id)  # loads and validates
    assert len(module.polls) >= 8
    assert {poll.kind for poll in module.polls} >= {"single", "multiple", "scale", "text"}
    assert sum(poll.kind == "text" for poll in module.polls) >= 2
    pairs = [(module.poll(poll.before), poll) for poll in module.polls if poll.before]
    assert pairs
    assert sum(section.minutes for section in module.sections) == module.duration == 90
    for section in module.sections:
        assert section.text.strip() and section.notes.strip(), section.id
        assert "Transition:" in section.notes, section.id
        assert "Listen for:" in section.notes, section.id
        assert "Couple exercise:" in section.notes or "Discussion prompt:" in section.notes, section.id
    assert module.source and module.source.title.strip() and module.source.publisher.strip()


@pytest.mark.parametrize("module_id", BUILT_IN_MODULES)
def test_a_built_in_module_has_a_45_minute_path_with_its_before_and_after(module_id: str) -> None:
    module = find_module(module_id)
    assert module.short_duration == 45
    assert sum(module.section(s).minutes for s in module.short_path) == module.short_duration
    assert module.short_path[0] == module.sections[0].id
    assert module.short_path[-1] == module.sections[-1].id
    for before, after in ((module.poll(p.before), p) for p in module.polls if p.before):
        assert module.section_of(before.id) in [module.section(s) for s in module.short_path]
        assert module.section_of(after.id) in [module.section(s) for s in module.short_path]


def test_the_leaving_module_tells_the_facilitator_about_coercive_control() -> None:
    module = find_module("leaving-and-loss")
    safety = "\n".join([module.safety, *(section.safety for section in module.sections)]).lower()
    assert "coercive control" in module.safety.lower()
    assert "privately" in safety
    assert "not the right setting" in module.safety
    assert module.source and module.source.title.startswith("Power Imbalance #7")
    # Who brings up ending things is the most exposing answer: only the facilitator sees it.
    assert module.poll("ending-talk").private and module.poll("ending-talk").reveal == "never"
    # Phrases, not single words: fear of loss is the session's subject, fear of the partner is not.
    assert not {"afraid", "controls", "controlling"} & set(module.safety_words)
    assert any("controlling" in words for words in module.safety_words)


@pytest.mark.parametrize("module_id", BUILT_IN_MODULES)
def test_a_built_in_modules_safety_notes_are_data_not_notes(module_id: str) -> None:
    """Every safety note moved to 'safety:', so the guide finds it in any language; none is left behind."""
    module = find_module(module_id)
    assert module.safety.strip() and module.shuffle_options
    assert sum(bool(section.safety) for section in module.sections) >= 4
    for section in module.sections:
        paragraphs = [items[0].casefold() for kind, items in blocks(section.notes) if kind == "p"]
        assert not [p for p in paragraphs if p.startswith("safety")], section.id


def test_a_short_path_is_read_with_its_duration(tmp_path: Path, tiny: Module) -> None:
    edited = tmp_path / "tiny.yaml"
    edited.write_text(
        Path(tiny.origin)
        .read_text()
        .replace("duration: 30\n", "duration: 30\nshort_path: [start, end, later]\nshort_duration: 30\n")
    )
    module = load_module(edited)
    assert module.short_path == ("start", "end", "later")
    assert module.short_duration == 30
    assert Module.from_dict(module.to_dict()) == module
    assert tiny.short_duration is None and "short_duration" not in tiny.to_dict()


def test_the_tiny_module_loads_with_text_before_and_reveal(tiny: Module) -> None:
    assert tiny.poll("how-again").before == "how"
    assert tiny.poll("how-again").kind_name == "before/after scale"
    assert tiny.poll("words").kind == "text"
    assert tiny.poll("words").max_length == 80
    assert tiny.poll("how").reveal == "live"
    assert tiny.poll("who").reveal == "after-close"
    assert not tiny.shuffle_options
    assert tiny.safety_words == ()


def test_module_settings_are_read(tmp_path: Path, tiny: Module) -> None:
    text = Path(tiny.origin).read_text()
    edited = tmp_path / "tiny.yaml"
    edited.write_text(
        text.replace(
            "duration: 30\n", "duration: 30\nshuffle_options: true\nsafety_words: [scared, ' walk out ']\n"
        )
    )
    module = load_module(edited)
    assert module.shuffle_options
    assert module.safety_words == ("scared", "walk out")


def test_a_snapshot_round_trips_with_the_same_hash(tiny: Module) -> None:
    again = Module.from_dict(tiny.to_dict())
    assert again == tiny
    assert again.content_hash == tiny.content_hash


def test_a_module_without_the_newer_fields_keeps_its_hash(tiny: Module) -> None:
    """Fields added later are left out of the snapshot when unset, so earlier sessions keep their version."""
    data = tiny.to_dict()
    assert "safety" not in data
    assert all("safety" not in section for section in data["sections"])
    assert all("private" not in poll for poll in data["polls"])
    assert tiny.content_hash == "2eac826210567ce3"  # the hash tiny.yaml had before 'safety' and 'private'


def test_private_and_safety_are_read_and_kept_in_the_snapshot(tmp_path: Path, tiny: Module) -> None:
    text = (
        Path(tiny.origin)
        .read_text()
        .replace("duration: 30\n", "duration: 30\nsafety: |\n  Keep the support sheet ready.\n")
        .replace("notes: Say hello.\n", "notes: Say hello.\n    safety: Speak privately.\n")
        .replace("    max_picks: 2\n", "    max_picks: 2\n    private: true\n")
    )
    edited = tmp_path / "tiny.yaml"
    edited.write_text(text)
    module = load_module(edited)
    assert module.safety == "Keep the support sheet ready."
    assert module.section("start").safety == "Speak privately." and module.section("end").safety == ""
    which = module.poll("which")
    assert which.private and which.reveal == "never"  # read as never, for every view that asks reveal
    assert not module.poll("who").private
    assert Module.from_dict(module.to_dict()) == module
    assert module.content_hash != tiny.content_hash


def test_editing_a_module_changes_its_hash(tmp_path: Path, tiny: Module) -> None:
    edited = tmp_path / "tiny.yaml"
    edited.write_text(Path(tiny.origin).read_text().replace("Say hello.", "Say hi."))
    assert load_module(edited).content_hash != tiny.content_hash


# The polls of tiny.yaml's sections 'end' and 'later': format with each one's list.
LAST_TWO_SECTIONS = """    polls: [{}]
  - id: later
    title: Later
    minutes: 10
    text: Looking back.
    notes: Compare before and after.
    polls: [{}]"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("options: [Usually me, Usually my partner, About equally]", "options: [Only one]"), "at least two"),
        (("    min: 1\n    max: 5", "    min: 5\n    max: 1"), "empty or inverted range 5..1"),
        (("polls: [how]", "polls: [howw]"), "names poll 'howw' that does not exist — did you mean 'how'?"),
        (("notes: Say goodbye.", "notes: ''"), "'notes' is empty"),
        (("  - id: which", "  - id: who"), "duplicate poll id 'who'"),
        (("title: Start\n", "title: Start\n    extra: 1\n"), "unknown field 'extra'"),
        (("kind: single", "kind: singel"), "did you mean 'single'?"),
        (
            ("title: A tiny test module", "title: A tiny test module\nsource: Some article"),
            "source must be a mapping",
        ),
        (
            ("title: A tiny test module", "title: A tiny test module\nlanguage: 5"),
            "language 5 is not a language code",
        ),
        (("max_length: 80", "max_length: 80\n    reveal: live"), "open text, which cannot be live"),
        (("    reveal: live\n    prompt: And now", "    prompt: And now"), "different 'reveal' policies"),
        (("min_label: Not safe", "min_label: No"), "'min_label' False is not text — put it in quotes"),
        (("  - id: which", "  - id: " + "w" * 61), "at most 60"),
        (("    min: 1\n    max: 5", "    min: -10"), "has 16 points — use at most 11"),
        (("polls: [who, which]", "polls:"), "poll 'who' is not used"),
        (("options: [Usually me,", "options: [Yes, No, Usually me,"), "is not text — put it in quotes"),
        (("title: A tiny test module", "title: [unclosed"), "YAML syntax error"),
        (("kind: single", "kind: essay"), "unknown kind 'essay' — use single, multiple, scale or text"),
        (
            ("reveal: live", "reveal: after-clos"),
            "unknown reveal policy 'after-clos' — did you mean 'after-close'?",
        ),
        (("reveal: live", "reveal: later"), "use live, after-close or never"),
        (
            ("max_picks: 2", "max_picks: 2\n    max_length: 80"),
            "'max_length' belongs to text polls — remove it here",
        ),
        (
            ("max_length: 80", "max_length: 5000"),
            "'max_length' must be a whole number from 1 to 1000, not 5000",
        ),
        (("max_length: 80", "max_length: 0"), "'max_length' must be a whole number from 1 to 1000, not 0"),
        (
            ("max_length: 80", "max_length: 80\n    options: [A, B]"),
            "'options' belongs to choice polls — remove it",
        ),
        (("max_length: 80", "max_length: 80\n    min: 1"), "'min' belongs to scale polls — remove it here"),
        (
            ("max_picks: 2", "max_picks: 2\n    before: who"),
            "'before' belongs to scale polls — remove it here",
        ),
        (
            ("before: how", "before: hwo"),
            "'before' names poll 'hwo' that does not exist — did you mean 'how'?",
        ),
        (
            ("before: how", "before: who"),
            "'before' names poll 'who', which is not a scale poll — name a scale",
        ),
        (("before: how", "before: how-again"), "poll 'how-again' names itself as 'before'"),
        (
            (
                "    max: 5\n    min_label: Not safe\n    max_label: Very safe\n    reveal",
                "    max: 7\n    min_label: Not safe\n    max_label: Very safe\n    reveal",
            ),
            "runs 1..5 but its before poll 'how' runs 1..7 — give both the same min and max",
        ),
        (
            (
                LAST_TWO_SECTIONS.format("how", "words, how-again"),
                LAST_TWO_SECTIONS.format("words, how-again", "how"),
            ),
            "which does not come after section 'later' where its before poll 'how' is asked",
        ),
        (
            (
                "    max_picks: 2\n",
                "    max_picks: 2\n"
                "  - id: how-once-more\n    kind: scale\n    before: how\n    prompt: Once more?\n",
            ),
            "poll 'how' is already asked again by poll 'how-once-more'",
        ),
        (
            (
                "    max_picks: 2\n",
                "    max_picks: 2\n"
                "  - id: how-third\n    kind: scale\n    before: how-again\n    prompt: And once more?\n",
            ),
            "names poll 'how-again', which itself asks 'how' again — a before/after pair is two polls",
        ),
        (
            ("duration: 30\n", "duration: 30\nshuffle_options: sometimes\n"),
            "'shuffle_options' must be true or false, not 'sometimes' — write true or false",
        ),
        (
            ("duration: 30\n", "duration: 30\nsafety_words: [scared, 42]\n"),
            "safety word 42 is not text — put it in quotes",
        ),
        (("duration: 30\n", "duration: 30\nsafety_words: [scared, '  ']\n"), "a safety word is empty"),
        (
            ("duration: 30\n", "duration: 30\nsafety_words: ['scared of @nobody']\n"),
            "safety word 'scared of @nobody': no word set called @nobody",
        ),
        (("duration: 30\n", "duration: 30\nsafety_words: scared\n"), "'safety_words' must be a list"),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [start, end, later]\n"),
            "short_path has no 'short_duration' — add 'short_duration: 30'",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [start, end]\nshort_duration: 25\n"),
            "the short path's sections' minutes add up to 20, but short_duration is 25 — "
            "set short_duration to 20",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [end, start]\nshort_duration: 20\n"),
            "short_path puts section 'start' after section 'end', but the agenda runs the other way",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [start, start]\nshort_duration: 10\n"),
            "short_path names section 'start' more than once — keep it once",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [start, ends]\nshort_duration: 10\n"),
            "short_path names section 'ends' that does not exist — did you mean 'end'?",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [start, later]\nshort_duration: 20\n"),
            "short_path includes section 'later', where poll 'how-again' asks 'how' again, "
            "but not section 'end'",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_duration: 20\n"),
            "'short_duration' is given but there is no 'short_path'",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: [start]\nshort_duration: 0\n"),
            "'short_duration' must be a whole number of at least 1, not 0",
        ),
        (
            ("duration: 30\n", "duration: 30\nshort_path: []\nshort_duration: 10\n"),
            "'short_path' must be a list",
        ),
    ],
)
def test_each_mistake_is_reported_with_what_to_do(
    tmp_path: Path, tiny: Module, change: tuple[str, str], message: str
) -> None:
    text = Path(tiny.origin).read_text()
    assert change[0] in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    assert message in str(raised.value)
    assert str(raised.value).startswith(f"{broken}:")


def test_a_before_problem_points_at_the_before_line(tmp_path: Path, tiny: Module) -> None:
    text = Path(tiny.origin).read_text().replace("before: how", "before: who")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    line = text.splitlines().index("    before: who") + 1
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    assert str(raised.value).startswith(f"{broken}:{line}:5: poll 'how-again' 'before' names poll 'who'")


def test_a_short_path_problem_points_at_the_short_duration_line(tmp_path: Path, tiny: Module) -> None:
    text = (
        Path(tiny.origin)
        .read_text()
        .replace("duration: 30\n", "duration: 30\nshort_path: [start, later]\nshort_duration: 30\n")
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    line = text.splitlines().index("short_duration: 30") + 1
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    assert (
        f"{broken}:{line}:1: the short path's sections' minutes add up to 20, but short_duration is 30"
        in str(raised.value)
    )


def _at(text: str, snippet: str, column: int) -> str:
    """`line:column` of the line where a snippet starts in a file's text."""
    return f"{text[: text.index(snippet)].count(chr(10)) + 1}:{column}"


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (("prompt: Who usually", "promt: Who usually"), ("promt:", 5),
         "unknown field 'promt' in poll 'who' — did you mean 'prompt'?"),
        (("    title: Start\n", ""), ("- id: start", 5),
         "section 'start' is missing 'title' — add a 'title:' line"),
        (("  - id: which", "  - id: who"), ("  - id: who\n    kind: multiple", 5),
         "duplicate poll id 'who' (first at line"),
        (("polls: [how]", "polls: [hwo]"), ("hwo", 13),
         "section 'end' names poll 'hwo' that does not exist — did you mean 'who'?"),
        (("    min: 1\n    max: 5\n    min_label: Not safe\n    max_label: Very safe\n    reveal: live",
          "    min: 5\n    max: 1\n    min_label: Not safe\n    max_label: Very safe\n    reveal: live"),
         ("max: 1", 5), "poll 'how' has an empty or inverted range 5..1 — max must be above min"),
        (("options: [Usually me, Usually my partner, About equally]", "options: [Usually me]"),
         ("options: [Usually me]", 5), "poll 'who' needs at least two options — list them under 'options:'"),
        (("duration: 30", "duration: 35"), ("duration: 35", 1),
         "the sections' minutes add up to 30, but duration is 35 — change a section's minutes"),
        (("notes: Say hello.", "notes: ''"), ("notes: ''", 5),
         "section 'start' 'notes' is empty — write some text"),
        (("title: A tiny test module", "title: [unclosed"), ("id: tiny", 1), "YAML syntax error"),
        (("    max_picks: 2\n", "    max_picks: 2\n    private: yes please\n"), ("private: yes please", 5),
         "poll 'which' 'private' must be true or false, not 'yes please' — write true or false"),
        (("    max_picks: 2\n", "    max_picks: 2\n    privat: true\n"), ("privat: true", 5),
         "unknown field 'privat' in poll 'which' — did you mean 'private'?"),
        (("    max_picks: 2\n", "    max_picks: 2\n    private: true\n    reveal: after-close\n"),
         ("reveal: after-close", 5),
         "poll 'which' is private but says reveal: after-close: a private poll's results stay on the "
         "console — remove reveal"),
        (("    max_label: Very safe\n    reveal: live\n  - id: words",
          "    max_label: Very safe\n    private: true\n  - id: words"), ("before: how", 5),
         "poll 'how' is private but 'how-again', the other round of its before/after pair, is not — "
         "add 'private: true' to 'how-again' too"),
        (("notes: Say goodbye.", "notes: Say goodbye.\n    safety: '  '"), ("safety: '  '", 5),
         "section 'end' 'safety' is empty — write some text, or remove the line"),
        (("duration: 30\n", "duration: 30\nsafety: [Speak privately]\n"), ("safety: [", 1),
         "the module 'safety' must be text, not a list — write it on the lines after 'safety: |'"),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_names_its_exact_line_and_column(
    tmp_path: Path, tiny: Module, change: tuple[str, str], where: tuple[str, int], message: str
) -> None:
    text = Path(tiny.origin).read_text()
    assert change[0] in text
    broken_text = text.replace(change[0], change[1], 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(broken_text)
    with pytest.raises(ModuleError) as raised:
        load_module(broken)
    if message == "YAML syntax error":
        assert f"{broken}:" in str(raised.value) and message in str(raised.value)
        return
    expected = f"{broken}:{_at(broken_text, where[0], where[1])}: {message}"
    assert expected in str(raised.value), str(raised.value)
