"""Train the second reader of disclosures (`workshop/safety_model.py`) from the labelled answers.

For each language it reads every development set in `benchmarks/safety/` (never a `*holdout*` set),
fits a multinomial logistic regression (the nine categories and "ordinary", classes balanced) over
`workshop.safety_model.features`, and writes `workshop/safety_phrases/<language>/model.json`.

The confidence needed to flag is chosen by leaving one development set out at a time (each set is one
writer's hand): the lowest confidence at which the model, trained without that set, adds false flags to
at most MAX_ADDED_FALSE_FLAGS of the set's ordinary answers, pooled over the sets. So the threshold is
set by wording the model had not seen, not by the sets it learned from.

Needs scikit-learn, which the kit itself does not (`.venv/bin/pip install -e '.[train]'`):

    .venv/bin/python benchmarks/train_safety_model.py [--language en]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workshop.safety import CATEGORIES, PHRASES, phrase_flags, sentences
from workshop.safety_model import MODEL_FILE, ORDINARY, Model, features, fingerprint, sources

HERE = Path(__file__).parent / "safety"
sys.path.insert(0, str(Path(__file__).parent))
from safety import read  # noqa: E402  (the benchmark's reader of the labelled sets)

C = 2.0  # inverse regularisation strength; 0.5–2 measured alike on the held-out sets
MIN_ANSWERS = 2  # a feature seen in fewer training answers says more about one writer than about danger
MAX_ADDED_FALSE_FLAGS = 0.025
THRESHOLDS = [round(0.5 + step / 100, 2) for step in range(50)]


def development_sets(language: str) -> list[Path]:
    return [p for p in sources(HERE, PHRASES, language) if p.suffix == ".tsv"]


def fit(rows: list[tuple[str, set[str]]]) -> tuple[list[str], list[float], dict[str, list[float]]]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: dict[str, int] = {}
    for _, found in rows:
        for feature in found:
            counts[feature] = counts.get(feature, 0) + 1
    kept = [{f: 1 for f in found if counts[f] >= MIN_ANSWERS} for _, found in rows]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(kept)
    fitted = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    fitted.fit(matrix, [label for label, _ in rows])
    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): [round(float(w), 3) for w in fitted.coef_[:, at]]
        for at, name in enumerate(names)
        if max(abs(float(w)) for w in fitted.coef_[:, at]) >= 0.005
    }
    return [str(c) for c in fitted.classes_], [round(float(b), 4) for b in fitted.intercept_], weights


def choose_threshold(by_set: dict[str, list[tuple[str, set[str], bool]]]) -> tuple[float, str]:
    """The lowest confidence whose pooled leave-one-set-out added false flags stay within the limit."""
    scores: list[float] = []  # ordinary answers the phrases let pass, scored by a model blind to their set
    ordinary_total = 0
    for left_out, rows in by_set.items():
        classes, intercepts, weights = fit(
            [(label, found) for name, rest in by_set.items() if name != left_out for label, found, _ in rest]
        )
        blind = Model({"classes": classes, "intercepts": intercepts, "weights": weights, "threshold": 1.0})
        for label, found, phrased in rows:
            if label == ORDINARY:
                ordinary_total += 1
                if not phrased:
                    scores.append(1.0 - blind.chances(found)[ORDINARY])
    for threshold in THRESHOLDS:
        added = sum(score > threshold for score in scores) / ordinary_total
        if added <= MAX_ADDED_FALSE_FLAGS:
            return threshold, f"{added:.3f} of {ordinary_total} ordinary answers added as false flags"
    return THRESHOLDS[-1], "the limit was not reached; the highest threshold was kept"


def train(language: str) -> Path:
    paths = development_sets(language)
    by_set: dict[str, list[tuple[str, set[str], bool]]] = {}
    for path in paths:
        wrong = {c for label, c, _ in read(path) if label == "disclosure" and c not in CATEGORIES}
        if wrong:
            raise SystemExit(f"{path}: categories the kit does not know: {', '.join(sorted(wrong))}")
        by_set[path.name] = [
            (
                category if label == "disclosure" else ORDINARY,
                features(sentences(text, language)),
                bool(phrase_flags(text, language)),
            )
            for label, category, text in read(path)
        ]
    print(f"{language}: {sum(map(len, by_set.values()))} answers from {len(paths)} sets", flush=True)
    threshold, how = choose_threshold(by_set)
    print(f"{language}: threshold {threshold} ({how}, leaving one set out at a time)", flush=True)
    classes, intercepts, weights = fit(
        [(label, found) for rows in by_set.values() for label, found, _ in rows]
    )
    out = PHRASES / language / MODEL_FILE
    document = {
        "about": "Made by benchmarks/train_safety_model.py; do not edit by hand.",
        "language": language,
        "trained_on": {
            "sets": [p.name for p in paths],
            "sha256": fingerprint(sources(HERE, PHRASES, language)),
        },
        "threshold": threshold,
        "classes": classes,
        "intercepts": intercepts,
        "weights": dict(sorted(weights.items())),
    }
    out.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{language}: {len(weights)} features written to {out} ({out.stat().st_size // 1024} KiB)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--language", choices=["en", "es"], action="append", help="default: both")
    args = parser.parse_args(argv)
    for language in args.language or ["en", "es"]:
        train(language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
