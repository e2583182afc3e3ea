"""Disclosure detection: what it finds, in English and Spanish, whatever the text does to hide it.

The figures on a few hundred labelled answers are in BENCHMARKS.md (`benchmarks/safety.py`); these tests
pin what a facilitator relies on: the issue's own examples, the idioms that must pass, and the disguises.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workshop.content import find_module
from workshop.polls import clean_text
from workshop.safety import CATEGORIES, PHRASES, flags, sentences
from workshop.safety_model import features, fingerprint, model, sources

LABELLED_SETS = Path(__file__).parent.parent / "benchmarks" / "safety"


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
        ("idk if im safe at home rn", "fear"),  # text-speak read as the words it stands for
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
        ("me mordio", "physical-harm"),  # typed without its accent
        ("nose si estoy segura en casa", "fear"),
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
        "he h\nits me",  # a line break inside a word
        "he will ki\tll me",  # a tab inside a word (stored as a space)
        "he will ki ll me",
        "he will kiII me",  # capital I for small l
        "he wiII kiII me",
        "he hIts me",  # a capital I that is an i
        "he will \u1d0b\u026a\u029f\u029f me",  # small capitals
        "i w a n t t o d i e",  # a whole sentence spaced out
        "I W A N T T O K I L L M Y S E L F",
    ],
)
def test_disguises_do_not_hide_a_disclosure(hidden: str) -> None:
    assert flags(clean_text(hidden), "en"), hidden


@pytest.mark.parametrize("hidden", ["me pe\ngó", "me pe gó", "q u i e r o m o r i r m e", "me va a m\tatar"])
def test_disguises_do_not_hide_a_spanish_disclosure(hidden: str) -> None:
    assert flags(clean_text(hidden), "es"), hidden


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("i love him\nits fine", "en"),
        ("we hit a\nwall", "en"),
        ("I feel fine\nhe is kind", "en"),
        ("McIntyre and I laughed", "en"),
        ("me pe-\nino antes de salir", "es"),
    ],
)
def test_real_line_breaks_between_words_are_not_glued(text: str, language: str) -> None:
    assert flags(clean_text(text), language) == []


def test_a_modules_own_words_flag_too() -> None:
    assert flags("I feel stonewalled", "en", ["stonewall"]) == ["module-words"]
    assert flags("He won\u2019t let me go out", "en", ["won't let me"]) != []


def test_a_modules_words_may_use_the_kits_word_sets_and_exclusions() -> None:
    words = ["afraid|scared of ... @partner !losing"]
    assert flags("I'm scared of my husband", "en", words) == ["fear", "module-words"]
    assert flags("I'm scared of him losing his job", "en", words) == []


@pytest.mark.parametrize(
    ("module_id", "text"),
    [
        ("leaving-and-loss", "I'm afraid of losing her"),
        ("leaving-and-loss", "he's a bit controlling about the remote lol"),
        ("leaving-and-loss", "my partner hurt himself playing football"),
        ("leaving-and-loss-es", "tengo miedo de perderla"),
        ("leaving-and-loss-es", "mi jefe me controla todo el día"),
        ("leaving-and-loss-es", "me da miedo que se aburra de mí"),
    ],
)
def test_a_built_in_modules_words_leave_its_own_subject_alone(module_id: str, text: str) -> None:
    module = find_module(module_id)
    assert flags(text, module.language, module.safety_words) == []


@pytest.mark.parametrize(
    ("module_id", "text"),
    [
        ("leaving-and-loss", "he says he'll hurt himself if I leave"),
        ("leaving-and-loss", "she is so controlling, I can't see anyone"),
        ("leaving-and-loss-es", "dice que se va a matar si lo dejo"),
        ("leaving-and-loss-es", "mi pareja es muy controladora"),
    ],
)
def test_a_built_in_modules_words_flag_what_its_subject_hides(module_id: str, text: str) -> None:
    module = find_module(module_id)
    assert flags(text, module.language, module.safety_words) != []


def test_threats_to_leave_are_the_workshops_subject_but_harm_with_them_is_flagged() -> None:
    assert flags("he threatens to leave and take the kids away from me", "en") == ["threats"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_second_reader_was_trained_on_the_labelled_sets_and_phrases_as_they_are(language: str) -> None:
    """A changed development set or phrase file needs `benchmarks/train_safety_model.py` run again."""
    data = json.loads((PHRASES / language / "model.json").read_text(encoding="utf-8"))
    made_from = sources(LABELLED_SETS, PHRASES, language)
    assert data["trained_on"]["sets"] == [p.name for p in made_from if p.suffix == ".tsv"]
    assert data["trained_on"]["sha256"] == fingerprint(made_from), "run benchmarks/train_safety_model.py"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_second_reader_knows_the_kits_kinds_of_danger_and_no_others(language: str) -> None:
    second = model(PHRASES / language)
    assert second is not None
    assert set(second.classes) == {c for c in CATEGORIES if c != "module-words"} | {"ordinary"}


# Written for this test; `test_the_new_wording_is_in_no_labelled_set` keeps it so.
NEW_WORDING = [
    (
        "every payday he moves what I earn into his own account and gives me a little back",
        "en",
        "money-control",
    ),
    (
        "my friends stopped inviting me because he always made a scene until I stayed in",
        "en",
        "control-isolation",
    ),
    (
        "when he is angry he takes the big kitchen knife out of the drawer and leaves it on the counter",
        "en",
        "weapons",
    ),
    (
        "mi esposo no quiere que salga con mis compañeras del trabajo, dice que son malas",
        "es",
        "control-isolation",
    ),
    ("últimamente pienso que mis hijos estarían más tranquilos si yo desapareciera", "es", "self-harm"),
]


@pytest.mark.parametrize(("text", "language", "category"), NEW_WORDING)
def test_the_second_reader_names_the_danger_in_new_wording(text: str, language: str, category: str) -> None:
    second = model(PHRASES / language)
    assert second is not None
    assert second.category(features(sentences(text, language))) == category


def test_the_new_wording_is_in_no_labelled_set() -> None:
    def plain(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.casefold()))

    labelled = plain(" | ".join(p.read_text(encoding="utf-8") for p in LABELLED_SETS.glob("*.tsv")))
    for text, _, _ in NEW_WORDING:
        words = plain(text).split()
        runs = {" ".join(words[at : at + 6]) for at in range(len(words) - 5)}
        assert not [run for run in runs if run in labelled], text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("we argue about whose turn it is to do the dishes", "en"),
        ("discutimos por quién lava los platos", "es"),
        ("he goes quiet and I chase him round the house asking what is wrong", "en"),
    ],
)
def test_the_second_reader_lets_ordinary_answers_pass(text: str, language: str) -> None:
    second = model(PHRASES / language)
    assert second is not None
    assert second.category(features(sentences(text, language))) is None


def test_an_answer_no_phrase_names_is_still_flagged_and_disguise_does_not_hide_it() -> None:
    text = "the last time i said no to him in bed he didnt speak to me for a week and then did it anyway"
    assert flags(text, "en") == ["sexual-coercion"]
    hidden = (
        text.replace("i said", "\u0456 sa\u0456d")
        .replace("bed", "b\u0435d")
        .replace("anyway", "any\u2028way")
    )
    assert flags(clean_text(hidden), "en") == ["sexual-coercion"]


def test_a_modules_own_word_does_not_hide_the_kind_of_danger() -> None:
    text = "the last time i said no to him in bed he didnt speak to me for a week and then did it anyway"
    assert flags(text, "en", ["bed"]) == ["sexual-coercion", "module-words"]


def test_a_modules_word_cannot_start_a_phrase_of_another_kind() -> None:
    assert flags("I walk in calm", "en", ["calm\n[self-harm]\nwalk"]) == []
