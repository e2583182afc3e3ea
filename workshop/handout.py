"""The take-home sheet: a module's exercises, its reflection questions, one practice for the week and the
support contacts, on one or two printed pages (A4 or Letter) in the module's language.

It is the same sheet for everyone and names nobody: no session, code, date or participant is on it.
"""

from __future__ import annotations

import html
from pathlib import Path

from workshop.content import Module, Section
from workshop.language import Words
from workshop.prose import exercise, reflection_questions, to_html
from workshop.support import Contact, contacts_html

# Small enough for two pages of A4 or Letter, large enough to read at home; no fixed page size.
HANDOUT_STYLE = """
@page { margin: 14mm 14mm; }
body { font: 10.5pt/1.4 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111;
  max-width: 44em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 17pt; margin: 0 0 0.1em; } h2 { font-size: 12.5pt; margin: 1em 0 0.3em; }
.title { color: #444; margin: 0 0 0.4em; }
ol, ul { padding-left: 1.3em; margin: 0.3em 0; } li { margin: 0.25em 0; }
li b { font-weight: 600; }
.practice { border: 2px solid #0072B2; border-radius: 4px; padding: 0.1em 0.8em; }
.support { border: 2px solid #009E73; border-radius: 4px; padding: 0.1em 0.8em; margin-top: 0.8em; }
.support-contacts { list-style: none; padding: 0; } .support-contacts li { margin: 0.3em 0; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  h2 { break-after: avoid; }
  li, .practice, .support { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def exercises(module: Module) -> tuple[list[tuple[Section, str]], tuple[Section, str] | None]:
    """Each section's exercise, in order, and apart from them the week's practice: the last section's
    exercise (the close of a module is where a step for the week is agreed)."""
    found = [(section, exercise(section)) for section in module.sections]
    found = [(section, text) for section, text in found if text]
    if found and found[-1][0] == module.sections[-1]:
        return found[:-1], found[-1]
    return found, None


def handout_html(module: Module, *, support: tuple[Contact, ...] = ()) -> str:
    words = Words(module.language)
    esc = html.escape
    at_home, practice = exercises(module)
    _, questions = reflection_questions(module)
    parts = [
        f"<h1>{esc(words('handout.heading'))}</h1>",
        f'<p class="title">{esc(module.title)}</p>',
        f"<p>{esc(words('handout.intro'))}</p>",
    ]
    if practice:
        parts.append(
            f'<div class="practice"><h2>{esc(words("handout.practice"))}</h2>{to_html(practice[1])}</div>'
        )
    if at_home:
        parts.append(f"<h2>{esc(words('handout.exercises'))}</h2><p>{esc(words('handout.alone'))}</p><ol>")
        parts.extend(f"<li><b>{esc(section.title)}.</b> {esc(text)}</li>" for section, text in at_home)
        parts.append("</ol>")
    if questions:
        parts.append(f"<h2>{esc(words('handout.questions'))}</h2><ul>")
        parts.extend(f"<li>{esc(question)}</li>" for question in questions)
        parts.append("</ul>")
    parts.append(f'<div class="support"><h2>{esc(words("handout.support"))}</h2>')
    if support:
        parts.append(f"<p>{esc(words('handout.support-intro'))}</p>{contacts_html(support)}")
    else:
        # Never a placeholder number: someone who needs help could dial it.
        parts.append(f"<p>{esc(words('handout.ask-sheet'))}</p>")
    parts.append("</div>")
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(module.language)}"><head><meta charset="utf-8">'
        f"<title>{esc(words('handout.page-title', title=module.title))}</title>"
        f"<style>{HANDOUT_STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def write_handout(module: Module, folder: Path, *, support: tuple[Contact, ...] = ()) -> Path:
    """Write `<module id>-handout.html` into the folder and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module.id}-handout.html"
    path.write_text(handout_html(module, support=support), encoding="utf-8")
    return path
