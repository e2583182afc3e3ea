"""Each kind of poll: what the kernel accepts whatever a browser sends, and how answers add up."""

from __future__ import annotations

import pytest

from workshop.content import Module
from workshop.errors import AnswerRefused
from workshop.polls import check_answer, clean_text, shift, tally


@pytest.mark.parametrize(
    ("poll_id", "forged", "message"),
    [
        ("who", "Someone else", "choose one of the options"),
        ("who", ["Usually me"], "choose one of the options"),
        ("who", None, "choose one of the options"),
        ("which", ["Asking to talk", "Not an option"], "tick options from the list"),
        ("which", ["Asking to talk", "Needing space", "Changing the subject"], "at most 2"),
        ("which", [], "at least one"),
        ("which", "Asking to talk", "tick options from the list"),
        ("how", 6, "from 1 to 5"),
        ("how", 0, "from 1 to 5"),
        ("how", True, "from 1 to 5"),
        ("how", 2.5, "from 1 to 5"),
        ("how", "3", "from 1 to 5"),
        ("words", "x" * 81, "81 characters; please shorten it to 80"),
        ("words", "x" * 10_000_000, "please shorten it to 80"),
        ("words", "   \n\t  ", "write a few words"),
        ("words", ["a list"], "as text"),
        ("words", 42, "as text"),
    ],
)
def test_forged_answers_are_refused_with_what_the_poll_allows(
    tiny: Module, poll_id: str, forged: object, message: str
) -> None:
    with pytest.raises(AnswerRefused, match=message):
        check_answer(tiny.poll(poll_id), forged)


def test_accepted_answers_take_their_stored_form(tiny: Module) -> None:
    assert check_answer(tiny.poll("who"), "About equally") == "About equally"
    # Ticks are stored in the poll's order, never in the order a shuffled page showed them.
    picked = ["Changing the subject", "Asking to talk", "Asking to talk"]
    assert check_answer(tiny.poll("which"), picked) == ["Asking to talk", "Changing the subject"]
    assert check_answer(tiny.poll("how-again"), 4) == 4


def test_markup_in_text_is_kept_as_written_for_views_to_escape(tiny: Module) -> None:
    written = '<script>alert("hi")</script> & <b>bold</b>'
    assert check_answer(tiny.poll("words"), written) == written


def test_text_is_cleaned_of_control_characters_and_runs_of_blank_lines() -> None:
    # A NUL or a line separator inside a word draws nothing: the word stays whole, for the safety check.
    assert clean_text("  one\x00two\r\n\n\n\nthree \u202e ") == "onetwo\n\nthree"
    assert clean_text("he hi\u2028ts me.\u2029And") == "he hits me.\nAnd"
    assert clean_text("e\u0301") == "\u00e9"  # one form of each letter, so moderation compares like with like


@pytest.mark.parametrize("blank", ["\u2060\u2060", "\u3164", " \u200b\n\t "])
def test_an_answer_with_nothing_visible_is_refused(tiny: Module, blank: str) -> None:
    with pytest.raises(AnswerRefused, match="write a few words"):
        check_answer(tiny.poll("words"), blank)


def test_runs_of_blank_lines_shrink_to_one_whatever_spaces_they_hold() -> None:
    assert clean_text("a" + "\n \n" * 60 + "b") == "a\n\nb"


def test_a_tally_counts_and_shares_each_choice(tiny: Module) -> None:
    who = tally(tiny.poll("who"), ["Usually me", "Usually me", "About equally", "Usually me"])
    assert who.counts == (3, 0, 1)
    assert who.respondents == 4
    assert who.percentages == (75.0, 0.0, 25.0)


def test_multiple_choice_shares_are_of_people_not_of_ticks(tiny: Module) -> None:
    which = tally(tiny.poll("which"), [["Asking to talk", "Needing space"], ["Asking to talk"]])
    assert which.counts == (2, 1, 0)
    assert which.respondents == 2
    assert which.percentages == (100.0, 50.0, 0.0)


def test_a_scale_has_its_distribution_mean_and_median(tiny: Module) -> None:
    how = tally(tiny.poll("how"), [1, 2, 2, 5])
    assert how.counts == (1, 2, 0, 0, 1)
    assert how.mean == 2.5
    assert how.median == 2.0


def test_open_text_counts_only_how_many_answered(tiny: Module) -> None:
    words = tally(tiny.poll("words"), ["a", "b", "c"])
    assert words.respondents == 3
    assert words.counts == ()


def test_before_and_after_are_paired_person_by_person(tiny: Module) -> None:
    # Four people before, three after; three answered both: one went up, one stayed, one went down.
    result = shift(
        tiny.poll("how"),
        tiny.poll("how-again"),
        [2, 3, 4, 1],
        [4, 3, 3],
        [(2, 4), (3, 3), (4, 3)],
    )
    assert result.before.counts == (1, 1, 1, 1, 0)
    assert result.after.counts == (0, 0, 2, 1, 0)
    assert (result.paired, result.higher, result.same, result.lower) == (3, 1, 1, 1)
    assert result.respondents == 3  # the smaller round decides whether it may be shown
    assert result.mean_change == pytest.approx(10 / 3 - 2.5)
