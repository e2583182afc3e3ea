"""A module's text as HTML and Markdown: paragraphs split by blank lines, lines starting '- ' as bullets.

Trainers write plain text in YAML; the console, the guide and the slides all show it the same way, always
escaped, so nothing a module says can turn into markup.
"""

from __future__ import annotations

import html

from workshop.content import Poll


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


REVEAL_WORDS = {
    "live": "results may be shown live",
    "after-close": "results shown after the poll closes",
    "never": "results for the facilitator only",
}


def poll_details(poll: Poll) -> str:
    """What a poll asks for, in a facilitator's words: its kind, choices and reveal policy."""
    if poll.kind == "scale":
        ends = [
            f"{p} = {label}" for p, label in ((poll.min, poll.min_label), (poll.max, poll.max_label)) if label
        ]
        detail = f"scale {poll.min}–{poll.max}" + (f" ({', '.join(ends)})" if ends else "")
        if poll.before:
            detail += f", asks '{poll.before}' again; both rounds are shown side by side"
    elif poll.kind == "text":
        detail = f"open text, up to {poll.max_length} characters, moderated"
    else:
        picks = f", up to {poll.max_picks} picks" if poll.max_picks else ""
        detail = f"{poll.kind_name}{picks}: " + " / ".join(poll.options)
    shown = (
        "private: results stay on the facilitator's console" if poll.private else REVEAL_WORDS[poll.reveal]
    )
    return f"{detail}; {shown}"
