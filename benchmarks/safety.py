"""How well disclosure detection works: recall and false flags per language and category.

Reads the labelled answers in `benchmarks/safety/`: the development sets the phrase lists were tuned on
(every `<language>….tsv`, each written by a different hand) and `<language>-holdout*.tsv` (written
separately, never read while tuning), runs
`workshop.safety.flags` on each, and prints:

- recall: the share of disclosures that raise any flag (a flag of another category still reaches the
  facilitator, which is what keeps the answer off the projector), with the share flagged in their own
  category beside it;
- false flags: the share of ordinary workshop answers that raise a flag;
- the same two figures for the phrases alone, without the second reader (`workshop/safety_model.py`),
  which is trained on the development sets: on those its part says little; on the held-out sets it is
  what the second reader adds.

With `--module ID` the module's own `safety_words` are added, as a session of that module adds them, and
only the sets in the module's language are read.

    .venv/bin/python benchmarks/safety.py [--misses] [--module leaving-and-loss]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

from workshop.content import find_module
from workshop.safety import flags, phrase_flags

HERE = Path(__file__).parent / "safety"


def read(path: Path) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = [row for row in csv.reader(file, delimiter="\t") if row and not row[0].startswith("#")]
    return [(label, category, text) for label, category, text in rows[1:]]


def measure(path: Path, language: str, show_misses: bool, extra_words: tuple[str, ...] = ()) -> list[str]:
    rows = read(path)
    flags("warm up: load the phrases and the dictionaries", language, extra_words)
    started = time.process_time()  # CPU time: a busy machine does not inflate it
    found = [flags(text, language, extra_words) for _, _, text in rows]
    per_answer_ms = (time.process_time() - started) / len(rows) * 1000
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # any flag, right category, total
    false_flags, ordinary = 0, 0
    for (label, category, text), flagged in zip(rows, found, strict=True):
        if label == "ordinary":
            ordinary += 1
            false_flags += bool(flagged)
            if flagged and show_misses:
                print(f"  false flag ({path.name}): {text!r} -> {flagged}")
            continue
        for key in (category, "all"):
            caught[key][0] += bool(flagged)
            caught[key][1] += category in flagged
            caught[key][2] += 1
        if not flagged and show_misses:
            print(f"  missed ({path.name}, {category}): {text!r}")
    false_share = f"{false_flags / ordinary:.3f} ({false_flags}/{ordinary})"
    lines = [f"| {path.name} | all | {_share(caught['all'])} | {false_share} |"]
    if not extra_words:
        phrased = [bool(phrase_flags(text, language)) for _, _, text in rows]
        labels = [label == "disclosure" for label, _, _ in rows]
        hits = sum(p for p, d in zip(phrased, labels, strict=True) if d)
        wrong = sum(p for p, d in zip(phrased, labels, strict=True) if not d)
        lines.append(
            f"| {path.name} | phrases alone | {hits / max(1, sum(labels)):.3f} ({hits}/{sum(labels)}) "
            f"| {wrong / max(1, ordinary):.3f} ({wrong}/{ordinary}) |"
        )
    for category in sorted(k for k in caught if k != "all"):
        lines.append(f"| {path.name} | {category} | {_share(caught[category])} | |")
    lines.append(f"| {path.name} | CPU time per answer | {per_answer_ms:.2f} ms | |")
    return lines


def _share(counts: list[int]) -> str:
    flagged, right, total = counts
    return f"{flagged / total:.3f} ({flagged}/{total}; own category {right / total:.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--misses", action="store_true", help="print every miss and false flag of the development sets"
    )
    parser.add_argument("--module", metavar="ID", help="add a module's safety_words to its language's sets")
    args = parser.parse_args(argv)
    extra_words: tuple[str, ...] = ()
    language = None
    if args.module:
        module = find_module(args.module)
        extra_words, language = tuple(module.safety_words), module.language.split("-")[0]
        print(f"With the {len(extra_words)} safety_words of {args.module} ({language}):\n")
    print("| set | category | recall (any flag) | false flags |")
    print("|---|---|---|---|")
    # Development sets first (every file but the held-out ones), then the held-out sets.
    paths = sorted(HERE.glob("*.tsv"), key=lambda p: ("holdout" in p.stem, p.stem))
    for path in paths:
        held_out = "holdout" in path.stem
        if language and path.stem.split("-")[0] != language:
            continue
        for line in measure(path, path.stem.split("-")[0], args.misses and not held_out, extra_words):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
