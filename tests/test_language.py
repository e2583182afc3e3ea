"""The kit's words in the module's language: catalogues, fallbacks, and the check of a language file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop.content import Module
from workshop.errors import AnswerRefused
from workshop.language import BUILT_IN_STRINGS, Words, catalogue, check_language_file
from workshop.polls import check_answer

TESTS = Path(__file__).parent


@pytest.fixture
def trainer_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A trainer's modules folder, as `workshop serve --modules` hands it to every kernel."""
    monkeypatch.setenv("WORKSHOP_MODULES", str(tmp_path))
    catalogue.cache_clear()
    yield tmp_path
    catalogue.cache_clear()


def test_the_kits_languages_have_every_string_with_the_same_placeholders() -> None:
    for path in sorted(BUILT_IN_STRINGS.glob("*.json")):
        assert check_language_file(path) == [], path.name


def test_counts_take_the_right_form_in_each_language() -> None:
    assert Words("en").answers(1) == "1 answer" and Words("en").answers(3) == "3 answers"
    assert Words("es").answers(1) == "1 respuesta" and Words("es").answers(3) == "3 respuestas"


def test_a_refusal_is_said_in_the_modules_language(tiny: Module) -> None:
    with pytest.raises(AnswerRefused) as refused:
        check_answer(tiny.poll("how"), 9)
    assert str(refused.value) == "Please choose a point from 1 to 5."
    assert Words("es").error(refused.value) == "Elige un punto del 1 al 5."


def test_a_trainer_adds_a_language_with_one_file_and_english_fills_its_gaps(trainer_folder: Path) -> None:
    (trainer_folder / "fr.json").write_text(json.dumps({"participant.send": "Envoyer la réponse"}))
    words = Words("fr")
    assert words("participant.send") == "Envoyer la réponse"
    assert words("participant.join") == "Join"  # missing: English, never a broken page


def test_the_check_of_a_language_file_says_what_is_missing_or_wrong(tmp_path: Path) -> None:
    strings = json.loads((BUILT_IN_STRINGS / "en.json").read_text())
    del strings["participant.send"]
    strings["participant.tick-up-to"] = "Jusqu'à {count}."
    strings["participant.sned"] = "typo"
    path = tmp_path / "fr.json"
    path.write_text(json.dumps(strings, indent=2, ensure_ascii=False))
    problems = "\n".join(check_language_file(path))
    assert "missing string 'participant.send' — add it (in English: \"Send answer\")" in problems
    assert "'participant.tick-up-to' must use the placeholders {n}" in problems
    assert "unknown string 'participant.sned'" in problems
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "participant.sned" in text)
    assert f"{path}:{line}:" in problems
