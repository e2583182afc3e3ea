"""Disclosure detection: what it finds, in English and Spanish, whatever the text does to hide it.

The figures on a few hundred labelled answers are in BENCHMARKS.md (`benchmarks/safety.py`); these tests
pin what a facilitator relies on: the issue's own examples, the idioms that must pass, and the disguises.
"""

from __future__ import annotations

import pytest

from workshop.polls import clean_text
from workshop.safety import flags


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("she threatened to take the kids", "threats"),
        ("he shoves me", "physical-harm"),
        ("he forces me to have sex", "sexual-coercion"),
        ("I'm not sure I'm safe going home", "fear"),
        ("I'm scared he'll get angry", "fear"),
        ("he checks my phone every night", "stalking"),
        ("she took my bank card", "money-control"),
        ("I don't get to see my friends anymore because of him", "control-isolation"),
        ("sometimes I think everyone would be better off without me", "self-harm"),
        ("he keeps a gun under the bed", "weapons"),
    ],
)
def test_english_disclosures_are_flagged_with_their_category(text: str, category: str) -> None:
    assert category in flags(text, "en")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("me pegó", "physical-harm"),
        ("me amenazó con quitarme a los niños", "threats"),
        ("no me dejó salir de casa", "control-isolation"),
        ("me revisa el celular", "control-isolation"),
        ("tengo miedo de volver a casa", "fear"),
        ("me obliga a tener relaciones", "sexual-coercion"),
        ("a veces pienso en quitarme la vida", "self-harm"),
    ],
)
def test_spanish_disclosures_are_flagged_with_their_category(text: str, category: str) -> None:
    assert category in flags(text, "es")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("we hit a wall", "en"),
        ("that killed the mood", "en"),
        ("I push harder when met with silence", "en"),
        ("I'm afraid of losing her", "en"),
        ("she threatens to leave when we argue", "en"),
        ("I feel safe when he listens", "en"),
        ("he pushes me to talk about my feelings", "en"),
        ("me muero de ganas de hablarlo", "es"),
        ("me mata la curiosidad", "es"),
        ("tengo miedo de perderla", "es"),
        ("me amenaza con irse cuando discutimos", "es"),
    ],
)
def test_ordinary_answers_and_idioms_pass(text: str, language: str) -> None:
    assert flags(text, language) == []


@pytest.mark.parametrize(
    "hidden",
    [
        "he will k\u0456ll me",  # Cyrillic i
        "he will kіll me".replace("i", "\u0456"),
        "he h\u0456ts me",
        "he hi\u00adts me",  # soft hyphen
        "he hi\u2060ts me",  # word joiner
        "he hi\x00ts me",  # NUL
        "he hi\u2028ts me",  # line separator
        "he h i t s me",  # spaced letters
        "he h1ts me",  # a digit for a letter
        "HE HITS ME",
        "he hiiiits me",
        "i want to k i l l myself",
        "SUIC\u00cdDE",
    ],
)
def test_disguises_do_not_hide_a_disclosure(hidden: str) -> None:
    assert flags(clean_text(hidden), "en"), hidden


def test_a_modules_own_words_flag_too() -> None:
    assert flags("I feel stonewalled", "en", ["stonewall"]) == ["module-words"]
    assert flags("He won\u2019t let me go out", "en", ["won't let me"]) != []


def test_threats_to_leave_are_the_workshops_subject_but_harm_with_them_is_flagged() -> None:
    assert flags("he threatens to leave and take the kids away from me", "en") == ["threats"]
