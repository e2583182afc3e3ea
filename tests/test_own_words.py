"""Everything the kit says is in its own words: no run of nine words from a source article.

The articles live outside the project. `WORKSHOP_ARTICLES` names their folder (CI sets it to
`../shared/articles`); without it these tests are skipped, saying why. A module's `source.title` is the
article's own title, cited on purpose, and is left out of the comparison.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop.content import BUILT_IN_FOLDER, Module, load_module

RUN = 9  # words in a row that may not stand in an article too
ROOT = Path(__file__).parent.parent


def words(text: str) -> list[str]:
    """Lowercase words, with typographic quotes and dashes read as plain ones."""
    plain = unicodedata.normalize("NFKD", text).replace("’", "'").replace("‘", "'").casefold()
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", plain)


def runs(text: str) -> Iterator[tuple[str, ...]]:
    found = words(text)
    for start in range(len(found) - RUN + 1):
        yield tuple(found[start : start + RUN])


@pytest.fixture(scope="module")
def article_runs() -> dict[tuple[str, ...], str]:
    folder = os.environ.get("WORKSHOP_ARTICLES", "")
    if not folder or not Path(folder).is_dir():
        # The project runs and tests without the articles; .ci/run sets this where they are present.
        pytest.skip(
            "the source articles are not here: set WORKSHOP_ARTICLES to their folder "
            "(../shared/articles) to check that nothing is copied from them"
        )
    found: dict[tuple[str, ...], str] = {}
    for article in sorted(Path(folder).glob("*.txt")):
        for run in runs(article.read_text(encoding="utf-8")):
            found.setdefault(run, article.name)
    assert found, f"no article text found in {folder}"
    return found


def module_texts(module: Module) -> Iterator[str]:
    """Every string of a module but the cited source title."""

    def walk(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    data = module.to_dict()
    source = data.pop("source", None) or {}
    yield from walk(data)
    yield source.get("publisher", "")


def copied(text: str, article_runs: dict[tuple[str, ...], str]) -> list[str]:
    return sorted({f"“{' '.join(run)}” ({article_runs[run]})" for run in runs(text) if run in article_runs})


def without_titles(text: str, modules: list[Module]) -> str:
    for module in modules:
        if module.source:
            text = text.replace(module.source.title, " ")
    return text


BUILT_IN = sorted(BUILT_IN_FOLDER.glob("*.yaml"))


@pytest.mark.parametrize("path", BUILT_IN, ids=[p.stem for p in BUILT_IN])
def test_a_built_in_module_copies_no_sentence_of_its_article(
    path: Path, article_runs: dict[tuple[str, ...], str]
) -> None:
    module = load_module(path)
    found = [hit for text in module_texts(module) for hit in copied(text, article_runs)]
    assert not found, f"{path.name} repeats an article word for word — rewrite: {found}"


GENERATED = sorted(
    p for p in (ROOT / "slides").rglob("*") if p.suffix in (".html", ".md") and p.name != "README.md"
)


@pytest.mark.parametrize("path", GENERATED, ids=[str(p.relative_to(ROOT)) for p in GENERATED])
def test_a_deck_or_guide_copies_no_sentence_of_an_article(
    path: Path, article_runs: dict[tuple[str, ...], str]
) -> None:
    modules = [load_module(p) for p in BUILT_IN]
    text = without_titles(path.read_text(encoding="utf-8"), modules)
    assert not copied(text, article_runs), f"{path} repeats an article word for word"


@pytest.mark.parametrize("path", BUILT_IN, ids=[p.stem for p in BUILT_IN])
def test_a_modules_guide_and_deck_copy_no_sentence_of_an_article(
    path: Path, article_runs: dict[tuple[str, ...], str]
) -> None:
    from workshop.guide import guide_html, guide_markdown
    from workshop.slides import deck_html

    module = load_module(path)
    for name, text in [
        ("guide (HTML)", guide_html(module)),
        ("guide (Markdown)", guide_markdown(module)),
        ("deck", deck_html(module, "http://192.168.1.10:8866/")),
    ]:
        found = copied(without_titles(text, [module]), article_runs)
        assert not found, f"the {name} of {path.stem} repeats an article word for word: {found}"


def test_the_check_finds_a_copied_run(article_runs: dict[tuple[str, ...], str]) -> None:
    """The check itself works: a run lifted from an article is caught, a paraphrase is not."""
    run = next(iter(article_runs))
    assert copied("As they say, " + " ".join(run).upper() + ".", article_runs)
    assert not copied("Each couple finds its own words for this, and the group listens kindly.", article_runs)
