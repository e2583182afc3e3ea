"""The facilitator's printable guide to a module, in HTML (A4 or Letter, numbered pages) and in Markdown.

Up front: a one-page run sheet, what to do before the session, and a safety box (every `safety:` note and
the local support contacts); then each section with its clock times, text, notes and polls. Every heading
is in the module's language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from workshop.content import Module, Section
from workshop.language import Words
from workshop.prose import blocks, exercise, poll_details, to_html, to_markdown
from workshop.support import Contact, contacts_html, contacts_markdown

# No fixed page size: the browser prints on the paper it is given (A4 or Letter) with the same margins.
# Sections run on from one another (a page per section left pages half empty); the run sheet and the
# page before the session each stand on a page of their own, to be pulled out and kept at hand.
GUIDE_STYLE = """
@page { margin: 16mm 14mm; @bottom-center { content: counter(page); font: 9pt system-ui, sans-serif; } }
body { font: 11pt/1.45 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111;
  max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 0.3em; } h2 { font-size: 14pt; margin: 1.4em 0 0.3em; }
h3 { font-size: 11.5pt; margin: 0.9em 0 0.2em; }
h2 .clock { font-weight: normal; color: #444; font-size: 11pt; margin-left: 0.5em; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #999; padding: 3px 5px; text-align: left; vertical-align: top; }
td.time { white-space: nowrap; }
.safety { border: 2px solid #D55E00; padding: 0.2em 0.9em; border-radius: 4px; }
.support-contacts { padding-left: 1.2em; } .support-contacts li { margin: 0.3em 0; }
.missing { font-weight: bold; }
.participants { background: #f3f7fb; border-left: 4px solid #0072B2; padding: 0.1em 0.8em; }
.source { color: #444; font-size: 10pt; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  h2, h3 { break-after: avoid; }
  table, tr, .poll, .participants, .section-safety, li { break-inside: avoid; }
  .run-sheet, .before { break-after: page; }
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


def safety_notes(module: Module) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The module's safety note, then each section's, as (heading, blocks of prose): gathered at the
    front of the guide so that nobody has to hunt for them."""
    words = Words(module.language)
    found = [(words("guide.whole-session"), blocks(module.safety))] if module.safety else []
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


def _inline_html(text: str) -> str:
    """Escaped text with `command` spans as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _clock(span: tuple[int, int] | None) -> str:
    if span is None:
        return "—"
    return f"{span[0] // 60}:{span[0] % 60:02d}–{span[1] // 60}:{span[1] % 60:02d}"


def _path_note(module: Module, row: AgendaRow, words: Words) -> str:
    """Where a section stands on the short path, when the module has one."""
    if not module.short_path:
        return ""
    if row.short:
        return " · " + words("guide.on-short", clock=_clock(row.short))
    return " · " + words("guide.off-short")


# Words in an exercise that say it needs something written: paper and pens go on the run sheet.
ON_PAPER = re.compile(r"\b(write|writes|written|jot|jots|paper|escrib\w*|papel|anot\w*)\b", re.IGNORECASE)


def _exercise_cell(section: Section, words: Words) -> str:
    """The exercise in a dozen words, and the paper it needs, for a glance at the run sheet."""
    found = exercise(section)
    if not found:
        return "—"
    short = re.split(r"(?<=[.:])\s", found, maxsplit=1)[0].rstrip(".:")
    cut = short.split()
    short = " ".join(cut[:12]) + ("…" if len(cut) > 12 else "")
    return short + (f" ({words('guide.paper')})" if ON_PAPER.search(found) else "")


def run_sheet(module: Module) -> list[list[str]]:
    """The run sheet, a header row and one row per section: clock times on both paths, minutes, polls,
    the exercise."""
    words = Words(module.language)
    rows = agenda(module)
    short_total = sum(row.section.minutes for row in rows if row.short)
    head = [words("guide.col-path", minutes=module.duration)]
    head += [words("guide.col-path", minutes=short_total)] if module.short_path else []
    head += [words("guide.col-section"), words("guide.col-minutes"), words("guide.col-polls")]
    table = [[*head, words("guide.col-exercise")]]
    for number, row in enumerate(rows, start=1):
        cells = [_clock(row.full)] + ([_clock(row.short)] if module.short_path else [])
        cells += [f"{number}. {row.section.title}", str(row.section.minutes)]
        table.append([*cells, ", ".join(row.section.polls) or "—", _exercise_cell(row.section, words)])
    return table


BEFORE = ("screening", "referrals", "support", "room", "roles", "paper")


def _support_html(support: tuple[Contact, ...], words: Words) -> str:
    heading = f"<h3>{html.escape(words('guide.support-contacts'))}</h3>"
    if not support:
        # No placeholder numbers, ever: a number printed "for example" can be dialled by someone in need.
        return f'{heading}<p class="missing">{_inline_html(words("guide.no-contacts"))}</p>'
    return heading + contacts_html(support)


def _support_markdown(support: tuple[Contact, ...], words: Words) -> list[str]:
    shown = contacts_markdown(support) if support else f"**{words('guide.no-contacts')}**"
    return [f"### {words('guide.support-contacts')}", "", shown, ""]


def guide_html(module: Module, *, support: tuple[Contact, ...] = ()) -> str:
    words = Words(module.language)
    esc = html.escape
    parts = [
        f"<h1>{esc(module.title)}</h1>",
        f"<p>{esc(words('guide.title-line', minutes=module.duration))}"
        + (esc(words("guide.short-marked")) if module.short_path else "")
        + "</p>",
        to_html(module.summary),
    ]
    if module.source:
        cited = words("guide.source", title=module.source.title, publisher=module.source.publisher)
        parts.append(f'<p class="source">{esc(cited)}</p>')
    head, *body = run_sheet(module)
    parts.append(f'<div class="run-sheet"><h2>{esc(words("guide.run-sheet"))}</h2><table><tr>')
    parts.append("".join(f"<th>{esc(c)}</th>" for c in head) + "</tr>")
    clocks = 2 if module.short_path else 1
    parts.extend(
        "<tr>"
        + "".join(f'<td class="time">{esc(c)}</td>' for c in row[:clocks])
        + "".join(f"<td>{esc(c)}</td>" for c in row[clocks:])
        + "</tr>"
        for row in body
    )
    parts.append("</table></div>")
    parts.append(
        f'<div class="before"><h2>{esc(words("guide.before-session"))}</h2>'
        f"<p>{esc(words('guide.before-intro'))}</p><ul>"
        + "".join(f"<li>{_inline_html(words(f'guide.before-{step}'))}</li>" for step in BEFORE)
        + "</ul></div>"
    )
    # Always there: with no notes it still holds the support contacts, or says they are missing.
    parts.append(f'<div class="safety"><h2>{esc(words("guide.safety-notes"))}</h2>')
    parts.append(_support_html(support, words))
    parts.extend(f"<h3>{esc(heading)}</h3>{_blocks_html(note)}" for heading, note in safety_notes(module))
    parts.append("</div>")
    for number, row in enumerate(agenda(module), start=1):
        section = row.section
        parts.append(
            f'<div class="section"><h2>{number}. {esc(section.title)}'
            f'<span class="clock">{_clock(row.full)}</span></h2>'
            f"<p>{esc(words('guide.minutes', n=section.minutes) + _path_note(module, row, words))}</p>"
            f"<h3>{esc(words('guide.participants-see'))}</h3>"
            f'<div class="participants">{to_html(section.text)}</div>'
        )
        if section.safety:  # also where it applies, for a facilitator who reads one section at a time
            safety = f"<h3>{esc(words('guide.safety'))}</h3>{to_html(section.safety)}"
            parts.append(f'<div class="section-safety">{safety}</div>')
        parts.append(f"<h3>{esc(words('guide.facilitator-notes'))}</h3>{to_html(section.notes)}")
        if section.polls:
            parts.append(f"<h3>{esc(words('guide.polls'))}</h3><ul>")
            for poll_id in section.polls:
                poll = module.poll(poll_id)
                parts.append(
                    f'<li class="poll"><b>{esc(poll.prompt)}</b> <code>{esc(poll.id)}</code>'
                    f"<br>{esc(poll_details(poll, words))}</li>"
                )
            parts.append("</ul>")
        parts.append("</div>")
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(module.language)}"><head><meta charset="utf-8">'
        f"<title>{esc(words('guide.page-title', title=module.title))}</title><style>{GUIDE_STYLE}</style>"
        "</head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def guide_markdown(module: Module, *, support: tuple[Contact, ...] = ()) -> str:
    words = Words(module.language)
    lines = [f"# {module.title}", "", words("guide.title-line", minutes=module.duration), ""]
    if module.summary:
        lines += [to_markdown(module.summary), ""]
    if module.source:
        lines += [words("guide.source", title=module.source.title, publisher=module.source.publisher), ""]
    head, *body = run_sheet(module)
    lines += [f"## {words('guide.run-sheet')}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    # A bar inside a cell would end it.
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    lines += ["", f"## {words('guide.before-session')}", "", words("guide.before-intro"), ""]
    lines += [f"- {words(f'guide.before-{step}')}" for step in BEFORE]
    lines += ["", f"## {words('guide.safety-notes')}", "", *_support_markdown(support, words)]
    for heading, note in safety_notes(module):
        lines += [f"### {heading}", "", _blocks_markdown(note), ""]
    for number, row in enumerate(agenda(module), start=1):
        section = row.section
        lines += [
            f"## {number}. {section.title} ({_clock(row.full)})",
            "",
            words("guide.minutes", n=section.minutes) + _path_note(module, row, words),
        ]
        lines += ["", f"### {words('guide.participants-see')}", "", to_markdown(section.text), ""]
        if section.safety:
            lines += [f"### {words('guide.safety')}", "", to_markdown(section.safety), ""]
        lines += [f"### {words('guide.facilitator-notes')}", "", to_markdown(section.notes)]
        if section.polls:
            lines += ["", f"### {words('guide.polls')}", ""]
            for poll_id in section.polls:
                poll = module.poll(poll_id)
                lines.append(f"- **{poll.prompt}** (`{poll.id}`): {poll_details(poll, words)}")
        lines.append("")
    return "\n".join(lines)


def write_guide(module: Module, folder: Path, *, support: tuple[Contact, ...] = ()) -> tuple[Path, Path]:
    """Write `<module id>-guide.html` and `.md` into the folder; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{module.id}-guide.html"
    page.write_text(guide_html(module, support=support), encoding="utf-8")
    text = folder / f"{module.id}-guide.md"
    text.write_text(guide_markdown(module, support=support), encoding="utf-8")
    return page, text
