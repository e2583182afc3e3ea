"""A module as a reveal.js deck for the room: a join slide, a slide per section, notes for the speaker.

A deck is one HTML file with reveal.js inlined (`workshop/share/reveal`, MIT), so it opens with no network
at all: double-click it, press S for the speaker notes. Participants read the phone, so a slide carries a
headline and a few short points; the full text is in the speaker notes. Every label is in the module's
language. The deck records its module's content hash and join address, so a test can tell when it is out
of date; its last slide lists the local support contacts, and can stay up while people leave.
"""

from __future__ import annotations

import html
from pathlib import Path

from workshop.content import Module, Section
from workshop.language import Words
from workshop.prose import group_agreement, headline, lead, poll_details, reflection_questions, to_html
from workshop.sessions import participant_url, qr_svg
from workshop.support import Contact, contacts_html

REVEAL = Path(__file__).parent / "share" / "reveal"

# Large, high-contrast type for a projector, in the system's own fonts (no web fonts to fetch). Slides
# are laid out at 1280×720 (a 16:9 projector) and scaled to the screen.
DECK_STYLE = """
:root { --r-main-font: system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --r-heading-font: var(--r-main-font); --r-main-font-size: 36px; --r-heading-text-transform: none; }
.reveal h1 { font-size: 2.2em; } .reveal h2 { font-size: 1.5em; }
.reveal p, .reveal li { line-height: 1.35; }
.reveal ul.points { font-size: 0.85em; text-align: left; }
.reveal .on-phone { margin-top: 0.8em; padding: 0.4em 0.8em; border-left: 8px solid #0072B2;
  background: #f3f7fb; text-align: left; font-size: 0.75em; }
.reveal .small { font-size: 0.55em; color: #444; }
.reveal .join { display: flex; align-items: center; justify-content: center; gap: 1.5em; }
.reveal .join svg { width: 9em; height: 9em; }
.reveal .url { font-family: ui-monospace, monospace; font-size: 0.8em; }
.reveal .code { font-family: ui-monospace, monospace; font-size: 2.4em; font-weight: bold;
  letter-spacing: 0.12em; margin: 0.1em 0; }
.reveal ul.support-contacts { display: grid; grid-template-columns: repeat(auto-fit, minmax(10em, 1fr));
  gap: 0.6em 1.2em; list-style: none; margin: 0.6em 0 0; padding: 0; font-size: 0.6em; text-align: left; }
.reveal ul.support-contacts li { border-left: 6px solid #009E73; padding-left: 0.5em; }
.reveal .support-contacts a { color: inherit; }
"""


def _asset(name: str) -> str:
    return (REVEAL / name).read_text(encoding="utf-8")


def _script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _items(points: list[str]) -> str:
    return "".join(f"<li>{html.escape(point)}</li>" for point in points)


def _section_slide(module: Module, section: Section, words: Words) -> str:
    polls = [module.poll(poll_id) for poll_id in section.polls]
    asks = (
        f'<div class="on-phone">{html.escape(words("slides.on-phone"))}:<ul>'
        f"{_items([poll.prompt for poll in polls])}</ul></div>"
        if polls
        else ""
    )
    minutes = words("guide.minutes", n=section.minutes)
    path = ""
    if module.short_path:
        path = " · " + (
            words("guide.on-short", clock="").strip()
            if section.id in module.short_path
            else words("guide.off-short")
        )
    poll_notes = "".join(
        f"<li>{html.escape(poll.prompt)} — {html.escape(poll_details(poll, words))}</li>" for poll in polls
    )
    return (
        f'<section data-section="{html.escape(section.id)}">'
        f"<h2>{html.escape(section.title)}</h2><p>{html.escape(lead(section.text))}</p>{asks}"
        f'<aside class="notes"><p><b>{html.escape(minutes)}</b>{html.escape(path)}</p>'
        # Safety first: it is what a facilitator must not miss while glancing at the notes.
        + (
            f"<p><b>{html.escape(words('guide.safety'))}</b></p>{to_html(section.safety)}"
            if section.safety
            else ""
        )
        + f"<p><b>{html.escape(words('slides.on-screen'))}</b></p>{to_html(section.text)}"
        + f"<p><b>{html.escape(words('guide.facilitator-notes'))}</b></p>{to_html(section.notes)}"
        + (f"<p><b>{html.escape(words('guide.polls'))}</b></p><ul>{poll_notes}</ul>" if polls else "")
        + "</aside></section>"
    )


def _points_slide(name: str, heading: str, points: list[str], notes: str) -> str:
    """A slide of short points for the room (each cut to its headline), the whole points in the notes."""
    return (
        f'<section data-section="{name}"><h2>{html.escape(heading)}</h2>'
        f'<ul class="points">{_items([headline(point) for point in points])}</ul>'
        f'<aside class="notes"><p>{html.escape(notes)}</p><ul>{_items(points)}</ul></aside></section>'
    )


def _support_slide(support: tuple[Contact, ...], words: Words) -> str:
    if support:
        shown = f"<p>{html.escape(words('slides.support-intro'))}</p>" + contacts_html(support)
        notes = words("slides.support-notes")
    else:
        # Never a placeholder number someone might dial.
        shown = f"<p>{html.escape(words('slides.ask-sheet'))}</p>"
        notes = words("slides.no-support-notes")
    return (
        f'<section data-section="support"><h2>{html.escape(words("slides.support"))}</h2>{shown}'
        f'<aside class="notes"><p>{html.escape(notes)}</p></aside></section>'
    )


def _join_slide(join_url: str, join_code: str, words: Words) -> str:
    if join_code:
        how = (
            f"<p>{html.escape(words('slides.scan-or-open'))}</p>"
            f'<p class="url">{html.escape(join_url)}</p>'
            f"<p>{html.escape(words('slides.type-this-code'))}</p>"
            f'<p class="code">{html.escape(join_code)}</p>'
        )
        scanned = participant_url(join_url, join_code)
    else:
        how = (
            f"<p>{html.escape(words('slides.scan-or-open'))}</p>"
            f'<p class="url">{html.escape(join_url)}</p><p>{html.escape(words("slides.type-code"))}</p>'
        )
        scanned = join_url
    return (
        f'<section data-section="join"><h2>{html.escape(words("slides.join"))}</h2>'
        f'<div class="join">{qr_svg(scanned, scale=8)}<div>{how}</div></div>'
        f'<p class="small">{html.escape(words("slides.anonymous"))}</p>'
        f'<aside class="notes"><p>{html.escape(words("slides.join-notes"))}</p></aside></section>'
    )


def deck_html(
    module: Module, join_url: str, *, support: tuple[Contact, ...] = (), join_code: str = ""
) -> str:
    """The whole deck as one self-contained HTML page."""
    words = Words(module.language)
    source = module.source
    drawn = words("slides.drawn-from", title=source.title, publisher=source.publisher) if source else ""
    cited = f'<p class="small">{html.escape(drawn)}</p>' if source else ""
    agreed_in, agreement = group_agreement(module)
    asked_in, questions = reflection_questions(module)
    agreement_slide = _points_slide(
        "agreement", words("slides.agreement"), agreement, words("slides.agreement-notes")
    )
    questions_slide = _points_slide(
        "questions", words("slides.questions"), questions, words("slides.questions-notes")
    )
    sections = []
    for section in module.sections:
        sections.append(_section_slide(module, section, words))
        if agreement and section == agreed_in:
            sections.append(agreement_slide)
        if questions and section == asked_in:
            sections.append(questions_slide)
    if questions and asked_in is None:  # the open questions, gathered before the close
        sections.append(questions_slide)
    slides = [
        f"<section><h1>{html.escape(module.title)}</h1>{cited}"
        f'<aside class="notes"><p>{html.escape(words("slides.title-notes"))}</p>'
        + (
            f"<p><b>{html.escape(words('slides.safety-throughout'))}</b></p>{to_html(module.safety)}"
            if module.safety
            else ""
        )
        + "</aside></section>",
        _join_slide(join_url, join_code, words),
        *sections,
        f"<section><h2>{html.escape(words('slides.thanks'))}</h2>"
        f"<p>{html.escape(words('slides.small-step'))}</p>{cited}</section>",
        _support_slide(support, words),
    ]
    code_meta = f'<meta name="workshop-join-code" content="{html.escape(join_code)}">' if join_code else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(module.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="workshop slides">'
        f'<meta name="workshop-module" content="{html.escape(module.id)}">'
        f'<meta name="workshop-module-hash" content="{module.content_hash}">'
        f'<meta name="workshop-join-url" content="{html.escape(join_url)}">{code_meta}'
        f"<title>{html.escape(module.title)}</title>"
        f"<style>{_asset('reveal.css')}\n{_asset('white.css')}\n{DECK_STYLE}</style>"
        '</head><body><div class="reveal"><div class="slides">\n'
        + "\n".join(slides)
        + "\n</div></div>"
        + _script(_asset("reveal.js"))
        + _script(_asset("notes.js"))
        + _script("Reveal.initialize({hash: true, width: 1280, height: 720, plugins: [RevealNotes]});")
        + "</body></html>\n"
    )


def write_deck(
    module: Module,
    folder: Path,
    join_url: str,
    *,
    support: tuple[Contact, ...] = (),
    join_code: str = "",
) -> Path:
    """Write `<folder>/<module id>.html` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module.id}.html"
    path.write_text(deck_html(module, join_url, support=support, join_code=join_code), encoding="utf-8")
    return path
