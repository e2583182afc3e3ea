"""What `workshop import-article` costs as an article grows: reading and drafting must stay linear.

Synthetic articles of the series' plain-text shape are made by repeating the test articles (and the
real ones in ../shared/articles when present) to each size. For each size it prints the seconds that
`parse_article` and `draft_module` take together (called directly: the command refuses an article over
ARTICLE_SIZE_LIMIT before reading it), and the ratio to the size before: doubling the input should about
double the time, not quadruple it. Last, it runs the whole command on an article a little under the limit.

    .venv/bin/python benchmarks/article_import.py --sizes 250000 500000 1000000 2000000 4000000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workshop.article_import import ARTICLE_SIZE_LIMIT, draft_module, parse_article

ROOT = Path(__file__).parents[1]


def series_text() -> str:
    """The articles the kit has, one after another."""
    paths = sorted((ROOT / "tests" / "articles").glob("*.txt"))
    paths += sorted((ROOT.parent / "shared" / "articles").glob("*.txt"))
    return "\n\n".join(path.read_bytes().decode("utf-8-sig") for path in paths)


def article_of(size: int, body: str) -> str:
    """An article of about `size` characters: a title, then the articles repeated, cut at a line."""
    text = "Power Imbalance #1: A Long Article\n" + body * (size // len(body) + 1)
    return text[: text.rfind("\n", 0, size) + 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000, 2_000_000])
    args = parser.parse_args()
    body = series_text()
    previous = 0.0
    print(f"{'characters':>12} {'seconds':>8} {'ratio':>6}")
    for size in args.sizes:
        text = article_of(size, body)
        started = time.perf_counter()
        draft_module(parse_article(text), "long-article", "long-article.txt")
        seconds = time.perf_counter() - started
        ratio = f"{seconds / previous:.2f}" if previous else ""
        print(f"{len(text):>12,} {seconds:>8.2f} {ratio:>6}", flush=True)
        previous = seconds
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long-article.txt"
        path.write_text(article_of(ARTICLE_SIZE_LIMIT * 9 // 10, body), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "workshop.cli", "import-article", "--modules", folder, str(path)],
            check=True,
            capture_output=True,
        )
        print(
            f"workshop import-article, {path.stat().st_size:,} bytes: {time.perf_counter() - started:.2f} s"
        )


if __name__ == "__main__":
    main()
