"""The facilitator's printable guide to a module, in HTML (prints on A4 and Letter) and in Markdown.

Everything needed to run the module without the console open: both paths' timing, each section's text
and notes, every poll with its choices and reveal policy, the source, and at the front a safety box: the
module's and every section's `safety:` notes, and the local support contacts (or, when none are set, a
plain line saying they must be set before the session).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from workshop.content import Module, Section
from workshop.prose import blocks, poll_details, to_html, to_markdown
from workshop.support import Contact, contacts_html, contacts_markdown

# No fixed page size: the browser prints on the paper it is given (A4 or Letter) with the same margins.
GUIDE_STYLE = """
@page { margin: 16mm 14mm; }
body { font: 11pt/1.45 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111;
  max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 0.3em; } h2 { font-size: 14pt; margin: 1.4em 0 0.3em; }
h3 { font-size: 11.5pt; margin: 0.9em 0 0.2em; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; vertical-align: top; }
.safety { border: 2px solid #D55E00; padding: 0.2em 0.9em; border-radius: 4px; }
.support-contacts { padding-left: 1.2em; } .support-contacts li { margin: 0.3em 0; }
.missing { font-weight: bold; }
.participants { background: #f3f7fb; border-left: 4px solid #0072B2; padding: 0.1em 0.8em; }
.source { color: #444; font-size: 10pt; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  h2, h3 { break-after: avoid; }
  table, .poll, .participants, .section-safety, li { break-inside: avoid; }
  .section { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""


@dataclass(frozen=True)
class AgendaRow:
    """One section on both paths: where it starts and ends, in minutes from the start."""

    section: Section
    full: tuple[int, int]
    short: tuple[int, int] | None


def agenda(module: Module) -> list[AgendaRow]:
    rows, full_clock, short_clock = [], 0, 0
    for section in module.sections:
        full = (full_clock, full_clock + section.minutes)
        full_clock = full[1]
        short = None
        if section.id in module.short_path:
            short = (short_clock, short_clock + section.minutes)
            short_clock = short[1]
        rows.append(AgendaRow(section, full, short))
    return rows


# The heading of the module-wide safety note in the guide's safety box.
WHOLE_SESSION = "Throughout the session"
# What the safety box says when no support contacts were given: no placeholder numbers, ever, since a
# number printed "for example" can be dialled by someone who needs help.
NO_CONTACTS = (
    "No support contacts are set. Before the session, set the local support services (a domestic abuse "
    "helpline, a crisis line, the emergency number): `workshop support --example` writes a file to fill "
    "in. Then print this guide again, and print the support sheet for everyone."
)


def safety_notes(module: Module) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The module's safety note, then each section's, as (heading, blocks of prose): gathered at the
    front of the guide so that nobody has to hunt for them."""
    found = [(WHOLE_SESSION, blocks(module.safety))] if module.safety else []
    found += [(section.title, blocks(section.safety)) for section in module.sections if section.safety]
    return found


def _blocks_html(found: list[tuple[str, list[str]]]) -> str:
    return "".join(
        f"<p>{html.escape(items[0])}</p>"
        if kind == "p"
        else "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
        for kind, items in found
    )


def _blocks_markdown(found: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(
        items[0] if kind == "p" else "\n".join(f"- {i}" for i in items) for kind, items in found
    )


def _on_short(module: Module, row: AgendaRow) -> str:
    if not module.short_path:
        return ""
    return " · on the short path" if row.short else " · left out of the short path"


def _clock(span: tuple[int, int] | None) -> str:
    if span is None:
        return "—"
    return f"{span[0] // 60}:{span[0] % 60:02d}–{span[1] // 60}:{span[1] % 60:02d}"


def _agenda_table(module: Module) -> list[list[str]]:
    """The timing table, a header row and one row per section; a short-path column when there is one."""
    rows = agenda(module)
    short_total = sum(row.section.minutes for row in rows if row.short)
    head = ["#", "Section", "Minutes", f"{module.duration}-minute path"]
    head += [f"{short_total}-minute path"] if module.short_path else []
    table = [[*head, "Polls"]]
    for number, row in enumerate(rows, start=1):
        cells = [str(number), row.section.title, str(row.section.minutes), _clock(row.full)]
        cells += [_clock(row.short)] if module.short_path else []
        table.append([*cells, ", ".join(row.section.polls) or "—"])
    return table


def _support_html(support: tuple[Contact, ...]) -> str:
    if not support:
        missing = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(NO_CONTACTS))
        return f'<h3>Support contacts</h3><p class="missing">{missing}</p>'
    return "<h3>Support contacts</h3>" + contacts_html(support)


def _support_markdown(support: tuple[Contact, ...]) -> list[str]:
    return ["### Support contacts", "", contacts_markdown(support) if support else f"**{NO_CONTACTS}**", ""]


def guide_html(module: Module, *, support: tuple[Contact, ...] = ()) -> str:
    parts = [
        f"<h1>{html.escape(module.title)}</h1>",
        f"<p>Facilitator's guide · {module.duration} minutes"
        + (" · the short path is marked" if module.short_path else "")
        + "</p>",
        to_html(module.summary),
    ]
    if module.source:
        parts.append(
            f'<p class="source">Source: “{html.escape(module.source.title)}”, '
            f"{html.escape(module.source.publisher)}. Paraphrased; the article gives the whole picture.</p>"
        )
    # Always there: with no notes it still holds the support contacts, or says they are missing.
    parts.append('<div class="safety"><h2>Safety notes</h2>' + _support_html(support))
    parts.extend(
        f"<h3>{html.escape(heading)}</h3>{_blocks_html(note)}" for heading, note in safety_notes(module)
    )
    parts.append("</div>")
    head, *body = _agenda_table(module)
    parts.append("<h2>Agenda</h2><table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>")
    parts.extend("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body)
    parts.append("</table>")
    for number, row in enumerate(agenda(module), start=1):
        section = row.section
        parts.append(
            f'<div class="section"><h2>{number}. {html.escape(section.title)}</h2>'
            f"<p>{section.minutes} minutes{_on_short(module, row)}</p>"
            f'<h3>Participants see</h3><div class="participants">{to_html(section.text)}</div>'
        )
        if section.safety:  # also where it applies, for a facilitator who reads one section at a time
            parts.append(f'<div class="section-safety"><h3>Safety</h3>{to_html(section.safety)}</div>')
        parts.append(f"<h3>Facilitator notes</h3>{to_html(section.notes)}")
        if section.polls:
            parts.append("<h3>Polls</h3><ul>")
            for poll_id in section.polls:
                poll = module.poll(poll_id)
                parts.append(
                    f'<li class="poll"><b>{html.escape(poll.prompt)}</b> <code>{html.escape(poll.id)}</code>'
                    f"<br>{html.escape(poll_details(poll))}</li>"
                )
            parts.append("</ul>")
        parts.append("</div>")
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(module.language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(module.title)} · facilitator's guide</title><style>{GUIDE_STYLE}</style>"
        "</head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def guide_markdown(module: Module, *, support: tuple[Contact, ...] = ()) -> str:
    lines = [f"# {module.title}", "", f"Facilitator's guide · {module.duration} minutes", ""]
    if module.summary:
        lines += [to_markdown(module.summary), ""]
    if module.source:
        lines += [f"Source: “{module.source.title}”, {module.source.publisher}. Paraphrased.", ""]
    lines += ["## Safety notes", "", *_support_markdown(support)]
    for heading, note in safety_notes(module):
        lines += [f"### {heading}", "", _blocks_markdown(note), ""]
    head, *body = _agenda_table(module)
    lines += ["## Agenda", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    # A bar inside a cell would end it.
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    for number, row in enumerate(agenda(module), start=1):
        section = row.section
        lines += [
            "",
            f"## {number}. {section.title}",
            "",
            f"{section.minutes} minutes{_on_short(module, row)}",
        ]
        lines += ["", "### Participants see", "", to_markdown(section.text), ""]
        if section.safety:
            lines += ["### Safety", "", to_markdown(section.safety), ""]
        lines += ["### Facilitator notes", "", to_markdown(section.notes)]
        if section.polls:
            lines += ["", "### Polls", ""]
            for poll_id in section.polls:
                poll = module.poll(poll_id)
                lines.append(f"- **{poll.prompt}** (`{poll.id}`): {poll_details(poll)}")
    return "\n".join(lines) + "\n"


def write_guide(module: Module, folder: Path, *, support: tuple[Contact, ...] = ()) -> tuple[Path, Path]:
    """Write `<module id>-guide.html` and `.md` into the folder; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{module.id}-guide.html"
    page.write_text(guide_html(module, support=support), encoding="utf-8")
    text = folder / f"{module.id}-guide.md"
    text.write_text(guide_markdown(module, support=support), encoding="utf-8")
    return page, text
