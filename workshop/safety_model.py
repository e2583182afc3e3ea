"""A second reader for disclosures: a small linear model over the words the phrases are made of.

The phrase files (`workshop.safety`) say exactly what they catch, and a trainer can extend them, but each
new writer's wording slips past some of them. This model was trained on every labelled development set
in `benchmarks/safety/` (written by many hands) and reads the same normalised words the phrases read
(lemmas, after look-alike letters, spacing and digits are undone), as single words, pairs and pairs with
one word between. It is asked only when no phrase matched, and flags an answer only when it is confident
that the answer is not an ordinary one, naming the kind of danger it thinks most likely.

The weights live beside the phrases, one file per language (`safety_phrases/<language>/model.json`), and
are made by `benchmarks/train_safety_model.py`, which also chooses the confidence needed so that ordinary
answers written by a hand the model never saw are seldom flagged (leave-one-set-out). Scoring is a few
dictionary look-ups: no machine-learning library is imported where answers are read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from pathlib import Path
from typing import Any

MODEL_FILE = "model.json"
ORDINARY = "ordinary"


# Raised when `features` changes what it returns: weights made for other features must be made again.
FEATURES_VERSION = 1


def fingerprint(paths: list[Path]) -> str:
    """What a model was made from, as one digest: the labelled sets and the phrase files (the threshold
    depends on what the phrases catch), and the features' version. A test tells when it is out of date."""
    digest = hashlib.sha256(f"features {FEATURES_VERSION}\0".encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sources(labelled: Path, phrases: Path, language: str) -> list[Path]:
    """The files a language's model is made from: its development sets (never a held-out one), then its
    phrase files."""
    sets = [p for p in sorted(labelled.glob(f"{language}*.tsv")) if "holdout" not in p.name]
    return sets + sorted((phrases / language).glob("*.txt"))


def features(sentences: list[list[frozenset[str]]]) -> set[str]:
    """What the model looks at in an answer: each word, each pair of words, and pairs one word apart.

    `sentences` is `workshop.safety.sentences(text, language)`: each reading of each sentence, as the keys
    of its words. A word is its lemma ("l:hit"), or, for a pronoun, the word itself ("w:he").
    """
    found: set[str] = set()
    for words in sentences:
        tokens = [_token(keys) for keys in words]
        for at, token in enumerate(tokens):
            found.add(f"u:{token}")
            if at + 1 < len(tokens):
                found.add(f"b:{token} {tokens[at + 1]}")
            if at + 2 < len(tokens):
                found.add(f"g:{token} _ {tokens[at + 2]}")
    return found


def _token(keys: frozenset[str]) -> str:
    lemmas = sorted(key for key in keys if key.startswith("l:"))
    return lemmas[0] if lemmas else min(keys)


class Model:
    """Weights per feature and kind of answer (the nine categories and "ordinary"), and the confidence
    needed to flag."""

    def __init__(self, data: dict[str, Any]) -> None:
        from workshop.safety import CATEGORIES  # a kind the kit does not know would be dropped unseen

        unknown = set(data["classes"]) - set(CATEGORIES) - {ORDINARY}
        if unknown or ORDINARY not in data["classes"]:
            raise ValueError(f"the model's kinds of answer are not the kit's: {sorted(unknown)}")
        self.classes: list[str] = data["classes"]
        self.intercepts: list[float] = data["intercepts"]
        self.weights: dict[str, list[float]] = data["weights"]
        self.threshold: float = data["threshold"]

    def chances(self, found: set[str]) -> dict[str, float]:
        """How likely each kind of answer is (softmax over the classes' scores)."""
        scores = list(self.intercepts)
        for feature in found:
            for at, weight in enumerate(self.weights.get(feature, ())):
                scores[at] += weight
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {name: value / total for name, value in zip(self.classes, exps, strict=True)}

    def category(self, found: set[str]) -> str | None:
        """The likeliest kind of danger, when the answer is likely enough not to be an ordinary one."""
        chances = self.chances(found)
        if 1.0 - chances[ORDINARY] <= self.threshold:
            return None
        return max((name for name in self.classes if name != ORDINARY), key=chances.__getitem__)


@functools.lru_cache(maxsize=4)
def model(folder: Path) -> Model | None:
    """The model kept in a language's phrase folder; None where there is none (it is an addition)."""
    path = folder / MODEL_FILE
    if not path.is_file():
        return None
    return Model(json.loads(path.read_text(encoding="utf-8")))
