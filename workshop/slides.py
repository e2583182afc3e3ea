"""A module as a reveal.js deck for the room: one slide per section, a join slide, notes for the speaker.

A deck is one HTML file with reveal.js inlined (`workshop/share/reveal`, MIT), so it opens from a USB
stick or a laptop with no network at all: double-click it, press S for the speaker notes. The deck
records its module's content hash and join address, so a test can tell when it is out of date. Its last
slide lists the local support contacts, and can stay up while people leave.
"""

from __future__ import annotations

import html
from pathlib import Path

from workshop.content import Module, Section
from workshop.prose import poll_details, to_html
from workshop.sessions import qr_svg
from workshop.support import Contact, contacts_html

REVEAL = Path(__file__).parent / "share" / "reveal"

# Large, high-contrast type for a projector, in the system's own fonts (no web fonts to fetch).
DECK_STYLE = """
:root { --r-main-font: system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --r-heading-font: var(--r-main-font); --r-main-font-size: 36px; --r-heading-text-transform: none; }
.reveal h1 { font-size: 2.2em; } .reveal h2 { font-size: 1.5em; }
.reveal p, .reveal li { line-height: 1.35; }
.reveal .on-phone { margin-top: 0.8em; padding: 0.4em 0.8em; border-left: 8px solid #0072B2;
  background: #f3f7fb; text-align: left; font-size: 0.85em; }
.reveal .small { font-size: 0.55em; color: #444; }
.reveal .join { display: flex; align-items: center; justify-content: center; gap: 1.5em; }
.reveal .join svg { width: 9em; height: 9em; }
.reveal .url { font-family: ui-monospace, monospace; font-size: 0.8em; }
.reveal ul.support-contacts { display: grid; grid-template-columns: repeat(auto-fit, minmax(10em, 1fr));
  gap: 0.6em 1.2em; list-style: none; margin: 0.6em 0 0; padding: 0; font-size: 0.6em; text-align: left; }
.reveal ul.support-contacts li { border-left: 6px solid #009E73; padding-left: 0.5em; }
.reveal .support-contacts a { color: inherit; }
"""


def _asset(name: str) -> str:
    return (REVEAL / name).read_text(encoding="utf-8")


def _script(code: str) -> str:
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _section_slide(module: Module, section: Section) -> str:
    polls = [module.poll(poll_id) for poll_id in section.polls]
    on_phone = "".join(f"<li>{html.escape(poll.prompt)}</li>" for poll in polls)
    asks = f'<div class="on-phone">On your phone:<ul>{on_phone}</ul></div>' if polls else ""
    path = ""
    if module.short_path:
        on_path = section.id in module.short_path
        path = " (on the short path)" if on_path else " (left out of the short path)"
    poll_notes = "".join(
        f"<li>{html.escape(poll.prompt)} — {html.escape(poll_details(poll))}</li>" for poll in polls
    )
    return (
        f'<section data-section="{html.escape(section.id)}">'
        f"<h2>{html.escape(section.title)}</h2>{to_html(section.text)}{asks}"
        f'<aside class="notes"><p><b>{section.minutes} minutes</b>{path}</p>'
        # Safety first: it is what a facilitator must not miss while glancing at the notes.
        + (f"<p><b>Safety</b></p>{to_html(section.safety)}" if section.safety else "")
        + f"{to_html(section.notes)}"
        + (f"<p><b>Polls</b></p><ul>{poll_notes}</ul>" if polls else "")
        + "</aside></section>"
    )


# Said by the last slide when no contacts were given: never a placeholder number someone might dial.
ASK_FOR_THE_SHEET = (
    "If anything today brought up something difficult, ask the facilitator for the support sheet: "
    "local services you can contact on your own, whenever you need to."
)


def _support_slide(support: tuple[Contact, ...]) -> str:
    if support:
        shown = (
            "<p>If anything today brought up something difficult, you can contact these services on your "
            "own, whenever you need to.</p>" + contacts_html(support)
        )
        notes = "Leave this slide up while people leave. Check the contacts before each session."
    else:
        shown = f"<p>{html.escape(ASK_FOR_THE_SHEET)}</p>"
        notes = (
            "No support contacts were given when this deck was written: hand out the printed support "
            "sheet, and write the deck again with --support FILE to list them here."
        )
    return (
        f'<section data-section="support"><h2>Support</h2>{shown}'
        f'<aside class="notes"><p>{html.escape(notes)}</p></aside></section>'
    )


def deck_html(module: Module, join_url: str, *, support: tuple[Contact, ...] = ()) -> str:
    """The whole deck as one self-contained HTML page."""
    source = module.source
    cited = (
        f'<p class="small">Drawn from “{html.escape(source.title)}”, {html.escape(source.publisher)}.</p>'
        if source
        else ""
    )
    slides = [
        f"<section><h1>{html.escape(module.title)}</h1>{cited}"
        '<aside class="notes"><p>Press S for these notes in a window of their own, F for full screen, '
        "Esc for an overview of all slides.</p>"
        + (f"<p><b>Safety, throughout the session</b></p>{to_html(module.safety)}" if module.safety else "")
        + "</aside></section>",
        '<section data-section="join"><h2>Join on your phone</h2>'
        f'<div class="join">{qr_svg(join_url, scale=8)}<div><p>Scan the code, or open</p>'
        f'<p class="url">{html.escape(join_url)}</p><p>then type the code on the screen.</p></div></div>'
        '<p class="small">No names, no sign-up: your answers are anonymous.</p>'
        '<aside class="notes"><p>Give people a minute to join. Say that nothing they answer is linked to '
        "them, that results appear only once enough people have answered, and that nobody has to "
        "speak in the room.</p></aside></section>",
        *(_section_slide(module, section) for section in module.sections),
        f"<section><h2>Thank you</h2><p>Take one small step together this week.</p>{cited}</section>",
        _support_slide(support),
    ]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(module.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="workshop slides">'
        f'<meta name="workshop-module" content="{html.escape(module.id)}">'
        f'<meta name="workshop-module-hash" content="{module.content_hash}">'
        f'<meta name="workshop-join-url" content="{html.escape(join_url)}">'
        f"<title>{html.escape(module.title)}</title>"
        f"<style>{_asset('reveal.css')}\n{_asset('white.css')}\n{DECK_STYLE}</style>"
        '</head><body><div class="reveal"><div class="slides">\n'
        + "\n".join(slides)
        + "\n</div></div>"
        + _script(_asset("reveal.js"))
        + _script(_asset("notes.js"))
        + _script("Reveal.initialize({hash: true, plugins: [RevealNotes]});")
        + "</body></html>\n"
    )


def write_deck(module: Module, folder: Path, join_url: str, *, support: tuple[Contact, ...] = ()) -> Path:
    """Write `<folder>/<module id>.html` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module.id}.html"
    path.write_text(deck_html(module, join_url, support=support), encoding="utf-8")
    return path
