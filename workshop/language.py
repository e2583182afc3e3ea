"""The words the participant page, the screen and the console say, in the module's language.

One JSON file per language: the kit's own in `workshop/strings` (English and Spanish), and a trainer's
`<code>.json` beside their modules (folders in WORKSHOP_MODULES). English fills any gap, so a missing
string never breaks a page; `workshop validate` lists what a language file lacks.
"""

from __future__ import annotations

import json
import os
import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

BUILT_IN_STRINGS = Path(__file__).parent / "strings"
LANGUAGE_FILE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?\.json$")
Entry = str | dict[str, str]  # a plain string, or {"one": ..., "other": ...} for a count


def _trainer_folders() -> list[Path]:
    return [Path(p) for p in os.environ.get("WORKSHOP_MODULES", "").split(os.pathsep) if p]


def language_file(code: str, folders: list[Path] | None = None) -> Path | None:
    """Where a language's strings are: a trainer's folder first, then the kit's own."""
    for folder in [*(folders if folders is not None else _trainer_folders()), BUILT_IN_STRINGS]:
        path = folder / f"{code}.json"
        if path.is_file():
            return path
    return None


def read_strings(path: Path) -> dict[str, Entry]:
    data: dict[str, Entry] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=16)
def catalogue(code: str) -> dict[str, Entry]:
    """English, overlaid with the language's own strings where it has them."""
    strings = read_strings(BUILT_IN_STRINGS / "en.json")
    path = language_file(code) if code != "en" else None
    if path is not None:
        strings = {**strings, **read_strings(path)}
    return strings


class Words:
    """The strings of one language: `words("participant.send")`, `words("console.devices", n=3)`."""

    def __init__(self, language: str = "") -> None:
        self.language = language or os.environ.get("WORKSHOP_LANGUAGE", "en")
        self.strings = catalogue(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        entry = self.strings[key]
        if isinstance(entry, dict):
            entry = entry["one"] if values.get("n") == 1 else entry["other"]
        return entry.format(**values)

    def answers(self, count: int) -> str:
        return self("results.answers", n=count)

    def error(self, error: Exception) -> str:
        """A refusal in this language when it carries a key, else its own message."""
        key = getattr(error, "key", "")
        return self(key, **getattr(error, "values", {})) if key in self.strings else str(error)


def _fields(entry: Entry) -> set[str]:
    texts = entry.values() if isinstance(entry, dict) else [entry]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def check_language_file(path: Path) -> list[str]:
    """What a language file lacks or gets wrong, each as `file:line:column: what — what to do`."""
    english = read_strings(BUILT_IN_STRINGS / "en.json")
    try:
        text = path.read_text(encoding="utf-8")
        strings = json.loads(text)
    except (OSError, ValueError) as error:
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        return [f"{path}:{line}:{column}: cannot read this language file ({error}) — check its JSON"]
    if not isinstance(strings, dict):
        return [f"{path}:1:1: a language file is one JSON object of strings — start it with '{{'"]

    def where(key: str) -> str:
        found = text.find(f'"{key}"')
        line = text.count("\n", 0, found) + 1 if found >= 0 else 1
        column = found - text.rfind("\n", 0, found) if found >= 0 else 1
        return f"{path}:{line}:{column}"

    problems = []
    for key, entry in english.items():
        if key not in strings:
            shown = entry if isinstance(entry, str) else entry["other"]
            problems.append(f"{path}:1:1: missing string '{key}' — add it (in English: {json.dumps(shown)})")
        elif _fields(strings[key]) != _fields(entry):
            wanted = ", ".join(f"{{{name}}}" for name in sorted(_fields(entry))) or "none"
            problems.append(f"{where(key)}: '{key}' must use the placeholders {wanted} — as in English")
    for key in strings:
        if key not in english:
            problems.append(f"{where(key)}: unknown string '{key}' — remove it or check its spelling")
    return problems
