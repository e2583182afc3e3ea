"""A module's text as HTML and Markdown (paragraphs split by blank lines, '- ' lines as bullets), always
escaped, and the parts that the guide, slides and handout pick out of it: exercises, the group agreement,
reflection questions, a slide's headline.
"""

from __future__ import annotations

import html
import itertools
import re

from workshop.content import Module, Poll, Section
from workshop.language import Words
from workshop.reveal import policy_of


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """Each paragraph as ("p", [its text]) or a run of bullets as ("ul", [item, ...])."""
    found: list[tuple[str, list[str]]] = []
    for block in text.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        prose = [line for line in lines if not line.startswith("- ")]
        bullets = [line[2:] for line in lines if line.startswith("- ")]
        if prose:
            found.append(("p", [" ".join(prose)]))
        if bullets:
            found.append(("ul", bullets))
    return found


def to_html(text: str) -> str:
    parts = []
    for kind, items in blocks(text):
        if kind == "p":
            parts.append(f"<p>{html.escape(items[0])}</p>")
        else:
            parts.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")
    return "".join(parts)


def to_markdown(text: str) -> str:
    parts = []
    for kind, items in blocks(text):
        parts.append(items[0] if kind == "p" else "\n".join(f"- {item}" for item in items))
    return "\n\n".join(parts)


def poll_details(poll: Poll, words: Words | None = None) -> str:
    """What a poll asks for, in a facilitator's words and the module's language: its kind, choices and
    reveal policy."""
    say = words or Words("en")
    if poll.kind == "scale":
        ends = [
            f"{p} = {label}" for p, label in ((poll.min, poll.min_label), (poll.max, poll.max_label)) if label
        ]
        detail = say("guide.scale", low=poll.min, high=poll.max) + (f" ({', '.join(ends)})" if ends else "")
        if poll.before:
            detail += ", " + say("guide.asks-again", poll=poll.before)
    elif poll.kind == "text":
        detail = say("guide.text", n=poll.max_length)
    else:
        picks = ", " + say("guide.up-to-picks", n=poll.max_picks) if poll.max_picks else ""
        detail = f"{say(f'kind.{poll.kind}')}{picks}: " + " / ".join(poll.options)
    shown = say("guide.reveal-private") if poll.private else say(f"guide.reveal-{policy_of(poll)}")
    return f"{detail}; {shown}"


# The labels that start an exercise paragraph in a section's notes, in the kit's languages.
EXERCISE = re.compile(
    r"^(couple exercise|private exercise|exercise|ejercicio en pareja|ejercicio privado|ejercicio)\s*:\s*",
    re.IGNORECASE,
)
# A paragraph that introduces the group agreement, or questions for the screen, before its bullets.
AGREEMENT = re.compile(r"group agreement|acuerdo (del|de) grupo", re.IGNORECASE)
QUESTIONS = re.compile(r"questions|preguntas", re.IGNORECASE)


def exercise(section: Section) -> str:
    """The exercise for each couple in a section's notes (without its label), or "" when it has none."""
    for kind, items in blocks(section.notes):
        if kind == "p" and EXERCISE.match(items[0]):
            found = EXERCISE.sub("", items[0])
            return found[:1].upper() + found[1:]
    return ""


def _bullets_after(text: str, introduced: re.Pattern[str]) -> list[str]:
    found = blocks(text)
    for (kind, items), (next_kind, bullets) in itertools.pairwise(found):
        if kind == "p" and next_kind == "ul" and introduced.search(items[0]) and items[0].endswith(":"):
            return bullets
    return []


def group_agreement(module: Module) -> tuple[Section | None, list[str]]:
    """The group agreement's points, and the section whose notes set it (None when no notes do)."""
    for section in module.sections:
        points = _bullets_after(section.notes, AGREEMENT)
        if points:
            return section, points
    return None, []


def reflection_questions(module: Module) -> tuple[Section | None, list[str]]:
    """The questions a section's notes put on screen, and that section; else the prompts of the
    module's open-text polls that the room may see (no section)."""
    for section in module.sections:
        questions = _bullets_after(section.notes, QUESTIONS)
        if questions:
            return section, questions
    return None, [poll.prompt for poll in module.polls if poll.kind == "text" and not poll.private]


def lead(text: str) -> str:
    """A section's text cut to its first sentence (two when the first is a greeting): the headline a
    slide carries while the phones hold the rest."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(blocks(text)[0][1]) if blocks(text) else "")
    shown = sentences[0]
    if len(shown.split()) < 4 and len(sentences) > 1:
        shown += " " + sentences[1]
    return shown


def headline(text: str) -> str:
    """A point cut to its first clause or sentence, for a slide; the whole point stays in the notes."""
    return re.split(r"(?<=[.!?;])\s+", text.strip(), maxsplit=1)[0].rstrip(";")
