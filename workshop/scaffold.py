"""`workshop new`: a trainer's new module file, as a commented starting point or a copy of another module.

Whatever is written validates clean as written, starts with the line that points an editor at the
module schema, and never replaces a file that is already there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from workshop.content import BUILT_IN_FOLDER, ID_PATTERN, Module, load_module
from workshop.errors import ModuleError
from workshop.module_checks import read_module_text
from workshop.yaml_checks import compose

SCHEMA_PATH = Path(__file__).parent / "module.schema.json"


def schema_hint() -> str:
    """The comment that points an editor with the YAML language server at the module schema."""
    location = SCHEMA_PATH.resolve()
    where = str(location) if os.name == "posix" else location.as_uri()
    return f"# yaml-language-server: $schema={where}"


def check_id(module_id: str) -> None:
    """Refuse an id the module format does not allow, saying what would do."""
    if not ID_PATTERN.match(module_id):
        suggestion = "-".join("".join(c if c.isalnum() else " " for c in module_id.lower()).split())[:60]
        example = f", e.g. {suggestion}" if suggestion and ID_PATTERN.match(suggestion) else ""
        raise ModuleError(
            f"'{module_id}' cannot be a module id — use lowercase letters, digits and hyphens, starting "
            f"with a letter or digit (at most 60){example}"
        )


def _scalar(value: str) -> str:
    """A string as a YAML value: plain when YAML reads it back unchanged, else in double quotes."""
    if "\n" not in value:
        try:
            if yaml.safe_load(f"key: {value}") == {"key": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _title_from(module_id: str) -> str:
    words = module_id.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


_STARTER = """\
{hint}
# A new workshop module, written by `workshop new`. Every field is here with a comment saying what it
# is: replace the example text with your own, and delete the optional fields you do not need.
# The trainer's guide (docs/authoring.md) explains each one. Check your work with `workshop validate`.

# The module's short name: lowercase letters, digits and hyphens. Keep it the same as the file name.
id: {id}
# The title that participants, the projector screen and the printed guide show.
title: {title}
# The language of your text, "en" or "es": the participant page, screen and console speak it too.
language: en
# The full session's length in minutes: the sections' minutes below must add up to it.
duration: 30
# Optional. A few sentences on what the module is about, printed at the top of the guide.
summary: >
  A short module on how partners bring up what matters to them. Replace this with two or three
  sentences of your own: what couples will notice, talk about and try.
# Optional. The article the module draws on, credited in the guide (url may be left out).
source:
  title: The article's title
  publisher: Who published it
  url: https://example.org/the-article
# Optional. A shorter session: section ids in agenda order, and its length in minutes
# (the short path's sections' minutes must add up to short_duration).
short_path: [opening, closing]
short_duration: 20
# Optional. true: each phone shows choice options in its own order, so a partner's glance says nothing.
# Use false when the order of the options carries meaning.
shuffle_options: true
# Optional. Extra phrases that flag a written answer for you, added to the kit's own list. Prefer phrases
# to single words: "afraid" alone flags "afraid of losing her" too.
safety_words: ["afraid|scared of ... @partner !losing", "@he ... is|so|very ... controlling"]
# Optional. Safety guidance for the whole session, printed first in the guide with the support contacts.
safety: |
  If anyone mentions being afraid of their partner, being threatened or being controlled, do not
  explore it in the room: speak with them privately, never in front of their partner, and offer the
  sheet of local support services.

# The agenda, in the order you run it. Each section has a short id, a title, its minutes, the text
# participants read, your notes (never shown to the room) and the ids of the polls it asks.
sections:
  - id: opening
    title: Welcome and our group agreement
    minutes: 10
    # What participants read on their phones and on the screen.
    text: |
      Welcome! Today is about how each of us brings up what matters. Your answers are anonymous,
      and you never have to say anything out loud.
    # Your notes for this section: only you see them, on the console and in the printed guide.
    notes: |
      Greet everyone and agree the group's ground rules: what partners say to each other stays
      between them, anyone may pass, and we talk about patterns, not blame.

      Run the feel-before poll and say you will ask it again at the end. Then run who-starts.

      Listen for: nervous laughter, or anyone who looks uneasy.

      Couple exercise: each partner tells the other one thing they appreciate about them today.

      Transition: "Let's look at what happens when something matters to one of us."
    # Optional. Safety guidance for this section: gathered at the front of the guide, first in the
    # slide's speaker notes.
    safety: |
      Some couples find this first question hard. Remind everyone that they may pass.
    # The polls asked in this section, by id, in the order you open them.
    polls: [feel-before, who-starts]

  - id: middle
    title: What we each do
    minutes: 10
    text: |
      When something matters, some of us speak up straight away and some of us wait. Neither is wrong.
    notes: |
      Describe both habits as things anyone can do, not as kinds of people. Run the noticed poll,
      then the few-words poll; approve a handful of kind, general answers for the screen.

      Listen for: labels such as "the difficult one"; reframe them as habits.

      Discussion prompt: within each couple, talk about what helps a hard conversation start well.

      Transition: "Let's close with one small step."
    polls: [noticed, few-words]

  - id: closing
    title: One small step
    minutes: 10
    text: |
      Choose one small thing to try this week. Thank you for your care and honesty today.
    notes: |
      Run the feel-after poll; once it closes, the screen charts it beside feel-before.

      Listen for: anyone who seems to need a private word before they leave.

      Couple exercise: agree one small step together and when you will check in about it.

      Transition: thank everyone and invite anyone who wants a word to stay behind.
    polls: [feel-after]

# Every question put to the group. kind is single, multiple, scale or text; reveal says when the room
# may see the results: after-close (the default), live, or never (only you, on the console).
polls:
  # A scale: one point from min to max, with words for the two ends.
  - id: feel-before
    kind: scale
    prompt: How easy does it feel to talk about something that matters to you right now?
    min: 1
    max: 5
    min_label: Very hard
    max_label: Very easy
    reveal: after-close

  # Single choice: one option each.
  - id: who-starts
    kind: single
    prompt: In your relationship, who usually brings up a worry first?
    options: [Usually me, Usually my partner, About equally, It depends]
    reveal: after-close
    # true keeps the results on your console, never on the screen or the phones: for questions about
    # safety or fear. A private poll leaves reveal out, and both rounds of a before/after pair agree.
    private: false

  # Multiple choice: tick several options, at most max_picks of them.
  - id: noticed
    kind: multiple
    prompt: Which of these have you noticed in yourself? Pick up to two.
    options:
      - I speak up straight away
      - I wait for a calmer moment
      - I hope it sorts itself out
      - I check how my partner feels first
    max_picks: 2
    reveal: after-close

  # Open text: a few words, at most max_length characters; you approve answers before the room sees them.
  - id: few-words
    kind: text
    prompt: In a few words, what helps you feel heard? (No names, please.)
    max_length: 200
    reveal: after-close

  # The same scale asked again: before names the first round, and the two are charted side by side.
  - id: feel-after
    kind: scale
    before: feel-before
    prompt: And now, how easy does it feel to talk about something that matters to you?
    min: 1
    max: 5
    min_label: Very hard
    max_label: Very easy
    reveal: after-close
"""


def starter_text(module_id: str) -> str:
    """A commented starting module: every field, three sections, a poll of each kind; valid as written."""
    check_id(module_id)
    return _STARTER.format(hint=schema_hint(), id=_scalar(module_id), title=_scalar(_title_from(module_id)))


def _replace_value(text: str, key: str, value: str) -> str:
    """The file's text with a top-level key's value replaced, everything else (comments too) kept."""
    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        raise ModuleError("the module file is not a mapping of fields — run workshop validate on it")
    for key_node, value_node in root.value:
        if key_node.value == key:
            start, end = value_node.start_mark.index, value_node.end_mark.index
            old = text[start:end]
            # A block scalar (| or >) takes the line breaks after it: keep them.
            return text[:start] + _scalar(value) + old[len(old.rstrip("\n")) :] + text[end:]
    raise ModuleError(f"the module file has no '{key}' field — run workshop validate on it")


def copy_text(module: Module, module_id: str) -> str:
    """The text of `module`'s file under a new id and a "Copy of" title, with where it came from."""
    check_id(module_id)
    origin = Path(module.origin)
    text = read_module_text(origin)  # guarded like every read: the file may have changed since it loaded
    text = _replace_value(text, "id", module_id)
    text = _replace_value(text, "title", f"Copy of {module.title}")
    where = (
        f"the built-in module '{module.id}'"
        if origin.parent.resolve() == BUILT_IN_FOLDER.resolve()
        else f"{origin} (module '{module.id}')"
    )
    header = [
        f"# Copied by `workshop new` from {where}, content hash {module.content_hash}.",
        "# Adapt it in your own words; check it with `workshop validate`.",
    ]
    if "yaml-language-server:" not in text:
        header.insert(0, schema_hint())
    return "\n".join(header) + "\n" + text


def new_module(module_id: str, folder: Path, source: Module | None = None) -> Path:
    """Write `<folder>/<module_id>.yaml` (a starter, or a copy of `source`); never replace a file."""
    check_id(module_id)
    text = starter_text(module_id) if source is None else copy_text(source, module_id)
    if folder.exists() and not folder.is_dir():
        raise ModuleError(f"{folder} is a file, not a folder — give a folder with --modules")
    path = folder / f"{module_id}.yaml"
    for existing in (path, path.with_suffix(".yml")):
        if existing.exists():
            raise ModuleError(
                f"{existing} already exists — choose another id, or rename or remove that file first"
            )
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(text)
    try:
        load_module(path)
    except ModuleError as error:  # never leave a file that does not validate
        path.unlink()
        raise ModuleError(f"the new module would not validate, so nothing was written:\n{error}") from None
    return path


def next_steps(path: Path, folder: Path) -> str:
    """What `workshop new` prints: what was written and what to do next."""
    return "\n".join(
        [
            f"Wrote {path}",
            "Next:",
            f"  1. Edit {path} (docs/authoring.md explains every field).",
            f"  2. Check it:  workshop validate {path}",
            f"  3. Run it:    workshop serve --modules {folder}",
        ]
    )
