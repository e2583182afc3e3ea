"""Draft a module from an article in the series' plain-text shape (`workshop import-article`).

Every drafted part is marked REVIEW; the article's words are material for the trainer to rewrite.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from workshop.content import ID_PATTERN
from workshop.errors import ModuleError
from workshop.module_checks import MODULE_SIZE_LIMIT
from workshop.text_files import read_within, size_text

EXPECTED = (
    "expected a plain-text article: a title line, then short heading lines without a final full stop, "
    "paragraphs, lists of short lines (usually after a line ending with ':'), quoted thoughts after "
    "'They may think:' and a reflection-questions section"
)
# The largest article read: the series' articles are 3–8 KB, so this is 25 times the longest, and its
# draft stays well within a module's size limit. A larger file is refused before it is read.
ARTICLE_SIZE_LIMIT = 200_000
MINUTES = 10  # every drafted section; the trainer sets the real timing
OPTION_LENGTH = 80  # the longest checklist option
HEADING_CHARS, HEADING_WORDS = 80, 12  # a heading is a short line...
ITEM_CHARS, ITEM_WORDS = 90, 14  # ...and a list item a short line too, a little longer at most
TITLE_CHARS = 150
NOTE_CHARS = 160  # the longest quoted thought or list line kept in the notes
POINT_CHARS = 700  # the longest paragraph kept whole in the notes (longer ones end at a sentence)
NONE_OF_THESE = "None of these"  # the last option of every drafted checklist, so nobody has to tick
OPENING_QUOTES = "“\"‘'«„"
CLOSING_MARKS = "”\"’')»]"
# Words a Title Case heading leaves in lowercase.
SMALL_WORDS = frozenset(
    {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "as", "at", "by", "in", "of", "off"}
    | {"on", "per", "to", "up", "via", "with", "from", "into", "onto", "over", "vs"}
)
# A line starting with one of these carries on the prose before it: it ends a list.
CONNECTORS = frozenset({"and", "but", "so", "because", "yet", "still", "however"})
# A short line starting with a question word but not asking one reads as a heading ('How it feels').
HEADING_CUE = re.compile(r"^(what|how|why|when|where|who)\b[^?]*$", re.IGNORECASE)
REFLECTION = re.compile(r"\b(reflect\w*|questions?)\b", re.IGNORECASE)
BULLET = re.compile(r"^(?:[-*•–]|\d{1,2}[.)])\s+")
# Markdown's heading marks: '## What It Looks Like' is the heading 'What It Looks Like'.
HEADING_MARKS = re.compile(r"^#{1,6}\s+|\s+#+$")
SENTENCE_END = re.compile(r"[.!?…][”\"’')]*\s+(?=[A-Z“\"])")
HTML = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|span|h[1-6]|br|ul|li)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ItemList:
    """A run of short lines, with the line ending in ':' that led into it ('' when none did)."""

    lead_in: str
    items: tuple[str, ...]

    @property
    def is_questions(self) -> bool:
        return all(_plain_end(item).endswith("?") for item in self.items)


@dataclass(frozen=True)
class Thoughts:
    """Quoted lines after a lead-in such as 'They may think:': what a partner thinks or says."""

    lead_in: str
    lines: tuple[str, ...]


Block = str | ItemList | Thoughts  # a paragraph is a plain string


@dataclass(frozen=True)
class Part:
    """A heading and what follows it, in order; the heading is '' for the text before the first one."""

    heading: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b for b in self.blocks if isinstance(b, str))

    @property
    def lists(self) -> tuple[ItemList, ...]:
        return tuple(b for b in self.blocks if isinstance(b, ItemList))

    @property
    def thoughts(self) -> tuple[Thoughts, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Thoughts))

    @property
    def is_reflection(self) -> bool:
        return bool(REFLECTION.search(self.heading))


@dataclass(frozen=True)
class Article:
    """A whole article: its title, its parts in order, and the questions of its reflection part(s)."""

    title: str
    parts: tuple[Part, ...]
    reflection_questions: tuple[str, ...]


# --- reading lines -------------------------------------------------------------------------------------


def _plain_end(line: str) -> str:
    """The line without closing quotes or brackets, so that `“wrong.”` ends with its full stop."""
    return line.rstrip(CLOSING_MARKS)


def _closed(line: str) -> bool:
    """True when the line ends a sentence or leads into something (full stop, ?, !, :, ;, …)."""
    return _plain_end(line)[-1:] in tuple(".?!:;…")


def _heading_like(line: str) -> bool:
    """A short line, not a sentence: at most 80 characters and 12 words, no final full stop, ?, ! or :,
    not a quotation, and starting with a capital or digit (a lowercase start carries on a sentence)."""
    return (
        len(line) <= HEADING_CHARS
        and len(line.split()) <= HEADING_WORDS
        and not _closed(line)
        and line[0] not in OPENING_QUOTES + "….("
        and not line[0].islower()
    )


def _significant(line: str) -> list[str]:
    words = (w.strip(OPENING_QUOTES + CLOSING_MARKS + "(,") for w in line.split())
    return [w for w in words if w[:1].isalpha() and w.lower() not in SMALL_WORDS]


def _title_case(line: str, at_least: int = 1) -> bool:
    """Every word but the small ones starts with a capital ('How It Feels on the Avoider's Side')."""
    words = _significant(line)
    return len(words) >= at_least and all(w[0].isupper() for w in words)


def _item_like(line: str) -> bool:
    """A line that can stand in a list: short, a single sentence at most, not leading into another list,
    and not carrying on the prose before it (a lowercase start, '…', or a connector such as 'And')."""
    first = line.split()[0].strip(",").lower()
    return (
        len(line) <= ITEM_CHARS
        and len(line.split()) <= ITEM_WORDS
        and not line.endswith(":")
        and not line[0].islower()
        and not line.startswith(("…", "..."))
        and first not in CONNECTORS
        and not SENTENCE_END.search(line)
    )


def _ending(line: str) -> str:
    """How a list item ends: 'stop', 'question', 'open' (no mark), or 'any' (a closing quote)."""
    last = line[-1]
    if last in CLOSING_MARKS:
        return "any"
    return {".": "stop", "!": "stop", "?": "question"}.get(last, "open")


def _clean_lines(text: str) -> list[str | None]:
    """The text as stripped lines, None for a blank line.

    CRLF, tabs, runs of spaces, invisible characters and bullet marks are tidied away; a line that starts
    in lowercase after one that does not end a sentence is the same paragraph, wrapped, and is joined to it.
    When no two lines stand together (the text is double-spaced), blank lines say nothing and are dropped.
    """
    # A wrapped paragraph is gathered as its pieces and joined once: joining line by line copied the
    # whole paragraph again for each line.
    pieces: list[list[str] | None] = []
    for raw in text.splitlines():
        line = "".join(ch for ch in " ".join(raw.split()) if not unicodedata.category(ch).startswith("C"))
        line = BULLET.sub("", HEADING_MARKS.sub("", line.strip())).strip()
        previous = pieces[-1] if pieces else None
        if not line:
            pieces.append(None)
        elif previous and line[0].islower() and not _closed(previous[-1]):
            previous.append(line)
        else:
            pieces.append([line])
    lines = [" ".join(piece) if piece else None for piece in pieces]
    if not any(a and b for a, b in itertools.pairwise(lines)):
        lines = [line for line in lines if line]
    return lines


# --- parsing --------------------------------------------------------------------------------------------


def _list_run(lines: list[str | None], start: int, title_mode: bool) -> tuple[list[str], int]:
    """The items of a list starting at `start`, and where it stops.

    A list is a run of item-like lines with no blank line between them, all ending the same way (all with
    a full stop, all as questions, or all with no mark). A heading after the items ends it too: a Title
    Case line after items that are not, or a line such as 'How it feels' after items that do not start
    with a question word. (A sentence-case heading without such a cue needs a blank line before it.)
    """
    items: list[str] = []
    kind = ""
    end = start
    # Whether every item so far is in Title Case, and whether one starts with a question word: kept as
    # the items come, so that a list of thousands of lines is read in one pass.
    all_title_cased, any_cue = True, False
    while end < len(lines):
        line = lines[end]
        if line is None or not _item_like(line):
            break
        # Title Case of two words or more, or of one naming reflection ('Reflection'), makes a heading.
        title_cased = _title_case(line, 1 if REFLECTION.search(line) else 2)
        if title_mode and title_cased and not all_title_cased:
            break
        cue = bool(HEADING_CUE.match(line))
        if cue and not any_cue:
            break
        ending = _ending(line)
        if ending != "any":
            if kind and ending != kind:
                break
            kind = kind or ending
        items.append(line)
        all_title_cased = all_title_cased and _title_case(line, 2)
        any_cue = any_cue or cue
        end += 1
    return items, end


def _uses_title_case(lines: list[str | None]) -> bool:
    """Whether the headings are in Title Case: then a short line in sentence case ('Trauma history') is a
    sub-heading inside a part, not a heading of its own. Otherwise every heading-like line is a heading."""
    previous: str | None = None
    for line in lines:
        if line and _heading_like(line) and _title_case(line, 2) and not (previous or "").endswith(":"):
            return True
        previous = line or previous
    return False


def _fail(found: str) -> ModuleError:
    return ModuleError(f"{EXPECTED} — {found}")


def parse_article(text: str) -> Article:
    """Read an article in the series' plain-text shape; raise ModuleError when the text has not that shape."""
    if "\x00" in text:
        raise _fail("found binary data, not text")
    if HTML.search(text):
        raise _fail("found HTML markup; save the article as plain text")
    body = _clean_lines(text)
    body = body[next((n for n, line in enumerate(body) if line is not None), len(body)) :]
    if not body:
        raise _fail("found an empty file")
    title = body.pop(0) or ""
    if len(title) > TITLE_CHARS or _closed(title):
        raise _fail(f"found no title: the first line reads as a sentence ('{_shorten(title, 60)}')")
    title_mode = _uses_title_case(body)
    parts: list[tuple[str, list[Block]]] = [("", [])]
    sub = ""  # a sub-heading waiting for the paragraph or list it names
    i = run_end = 0
    while i < len(body):
        line = body[i]
        if line is None:
            i += 1
            continue
        blocks = parts[-1][1]
        lead = f"{sub}: {line}" if sub else line
        if line.endswith(":"):
            j = i + 1
            while j < len(body) and body[j] is None:  # a lead-in may stand apart from its list
                j += 1
            quoted = j
            while quoted < len(body) and (body[quoted] or " ")[0] in OPENING_QUOTES:
                quoted += 1
            if quoted > j:  # quoted lines after a lead-in ('They may think:') are thoughts
                blocks.append(Thoughts(lead, tuple(str(q) for q in body[j:quoted])))
                sub, i = "", quoted
                continue
            items, end = _list_run(body, j, title_mode)
            if len(items) >= 2:  # a single short line after a lead-in is prose
                blocks.append(ItemList(lead, tuple(items)))
                sub, i = "", end
                continue
            if j < len(body) and (body[j] or "A")[0].islower():  # the lead-in's sentence goes on
                blocks.append(f"{lead} {body[j]}")
                sub, i = "", j + 1
                continue
        elif _heading_like(line):
            if run_end <= i:  # every line of a run of short lines ends at the same place
                run_end = i + 1
                while run_end < len(body) and _heading_like(body[run_end] or "."):  # a blank line ends it
                    run_end += 1
            end = run_end
            # A Title Case (or reflection) heading right above short lines heads them; otherwise two or
            # more short lines standing together, with no lead-in, are a list of their own.
            strong = (title_mode and _title_case(line, 2)) or bool(REFLECTION.search(line))
            if end - i >= 2 and not strong:
                blocks.append(ItemList(sub, tuple(str(b) for b in body[i:end])))
                sub, i = "", end
                continue
            if sub:  # a sub-heading with nothing under it stays as a line of its own
                blocks.append(sub)
            # In a Title Case article a short line in sentence case is a sub-heading: it names what follows.
            sub = "" if strong or not title_mode or _title_case(line) else line
            if not sub:
                parts.append((line, []))
            i += 1
            continue
        blocks.append(lead)
        sub, i = "", i + 1
    if sub:
        parts[-1][1].append(sub)
    found = tuple(Part(h, tuple(b)) for h, b in parts if h or b)
    if not any(part.heading for part in found):
        raise _fail("found no headings (short lines with no final full stop between the paragraphs)")
    # The reflection questions: every line ending with '?' in a part whose heading names reflection or
    # questions, whether it stands in a list or on its own.
    questions: dict[str, None] = {}
    for part in (p for p in found if p.is_reflection):
        for block in part.blocks:
            lines = block.items if isinstance(block, ItemList) else (block,) if isinstance(block, str) else ()
            questions.update((line, None) for line in lines if _plain_end(line).endswith("?"))
    return Article(title, found, tuple(questions))


# --- drafting -------------------------------------------------------------------------------------------


def slugify(text: str, limit: int = 60) -> str:
    """Lowercase letters, digits and hyphens, cut at a hyphen to at most `limit` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-")


class _Ids:
    """The ids given so far in a draft; each base's next number is remembered, so that an article with
    the same heading a thousand times takes a thousand steps, not half a million."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_number: dict[str, int] = {}

    def unique(self, base: str) -> str:
        found, n = base, self.next_number.get(base, 2)
        if found in self.taken:
            found = f"{slugify(base, 60 - len(str(n)) - 1)}-{n}"
            while found in self.taken:
                n += 1
                found = f"{slugify(base, 60 - len(str(n)) - 1)}-{n}"
            self.next_number[base] = n + 1
        self.taken.add(found)
        return found


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"


def _point(paragraph: str) -> str:
    """The whole paragraph, so its point is kept, not only its opening; a very long one ends at the last
    sentence that fits in POINT_CHARS."""
    if len(paragraph) <= POINT_CHARS:
        return paragraph
    ends = [m.start() + 1 for m in SENTENCE_END.finditer(paragraph) if m.start() < POINT_CHARS]
    return paragraph[: ends[-1]] if ends else _shorten(paragraph, POINT_CHARS)


def checklist_options(items: tuple[str, ...]) -> list[str]:
    """List items as checklist options: no final full stop, at most 80 characters, each once."""
    options: dict[str, str] = {}
    for item in items:
        option = _shorten(
            item[:-1] if item.endswith(".") and not item.endswith("..") else item, OPTION_LENGTH
        )
        options.setdefault(option.casefold(), option)
    options.pop(NONE_OF_THESE.casefold(), None)  # the draft adds it last, once
    return list(options.values())


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _checklist(poll_id: str, about: str, lead_in: str, options: list[str]) -> list[str]:
    return [
        f"  # REVIEW: a checklist drafted from the list after {_q(lead_in or '(no lead-in)')}",
        f"  - id: {poll_id}",
        "    kind: multiple",
        f"    prompt: {_q(f'Which of these do you recognise? ({about})')}",
        "    options:",
        *(f"      - {_q(option)}" for option in [*options, NONE_OF_THESE]),
    ]


def _reflection_notes(questions: tuple[str, ...]) -> list[str]:
    """The reflection questions as private prompts in the notes: on the slide after the section and on
    the take-home sheet, thought over by each person, and never typed into a phone or stored."""
    return [
        "",
        "REVIEW: reflection questions from the article, for each person to think over privately: no one "
        "answers them aloud or on a phone. Put these questions on screen:",
        *(f"- {question}" for question in questions),
        "",
        "Give everyone a few quiet minutes with one question; each shares with their partner only what "
        "they choose, later or at home.",
    ]


def draft_module(article: Article, module_id: str, source_file: str) -> str:
    """The YAML of a draft module: a section for each heading, a checklist poll for each list of behaviours,
    the reflection questions as private prompts in the notes, and a safety placeholder; every drafted part
    marked REVIEW."""
    section_ids, poll_ids = _Ids(), _Ids()
    sections: list[str] = []
    polls: list[str] = []
    parts = list(article.parts)
    if article.reflection_questions and not any(part.is_reflection for part in parts):
        parts.append(Part("Reflection", ()))  # the questions need a section of their own
    reflection = next((part for part in parts if part.is_reflection), None)
    for index, part in enumerate(parts):
        heading = part.heading or "Opening"
        topic = f"“{heading}”" if part.heading else "the opening: welcome couples and name the topic"
        notes = [
            "REVIEW: material from the article in its words, not yours: rewrite it in your own words "
            "before use unless the article is yours, and do not read it out."
        ]
        used: list[str] = []
        several = len(part.lists) > 1
        for block in part.blocks:
            if isinstance(block, str):
                if not (part.is_reflection and _plain_end(block).endswith("?")):  # those become polls
                    notes.append(f"- Article says: {_point(block)}")
            elif isinstance(block, Thoughts):
                lead = block.lead_in.rstrip(":")
                notes.extend(f"- Material ({lead}): {_shorten(line, NOTE_CHARS)}" for line in block.lines)
            elif block.is_questions or len(options := checklist_options(block.items)) < 2:
                if not (part.is_reflection and block.is_questions):  # those become polls
                    lead = f" ({block.lead_in.rstrip(':')})" if block.lead_in else ""
                    notes.append(f"- Article asks or lists{lead}: " + " / ".join(block.items))
            else:
                poll_id = poll_ids.unique("recognise-" + slugify(heading, 49))
                used.append(poll_id)
                notes.append(
                    f"- Run the checklist poll {poll_id}, drafted from the list after '{block.lead_in}'."
                )
                # The heading says what the list is about; with two lists or more, so does each lead-in.
                about = f"{heading} — {block.lead_in.rstrip(':')}" if several and block.lead_in else heading
                polls.extend(_checklist(poll_id, about, block.lead_in, options))
        if part is reflection and article.reflection_questions:
            notes.extend(_reflection_notes(article.reflection_questions))
        sections += [
            f"  # REVIEW: drafted from the heading {_q(part.heading or '(the text before any heading)')}",
            f"  - id: {section_ids.unique(slugify(heading) or f'section-{index + 1}')}",
            f"    title: {_q(heading)}",
            f"    minutes: {MINUTES}  # REVIEW: a default; change the duration with it",
            f"    text: {_q(f'REVIEW: write 2–3 warm sentences for participants about {topic}.')}",
            "    notes: |",
            *(f"      {line}" if line else "" for line in notes),
            f"    polls: [{', '.join(used)}]",
        ]
    name = " ".join(Path(source_file).name.split())  # one line, whatever the file is called
    header = [
        f"# DRAFT drawn from {name} by `workshop import-article`: not ready for a room.",
        "# Every part marked '# REVIEW' (and every text starting 'REVIEW:') must be checked by the trainer.",
        "# The notes carry the article's own words as material: unless the article is yours, its text",
        "# must be rewritten in your own words before use. Keep citing the article under 'source'.",
        f"id: {module_id}",
        f"title: {_q(article.title)}  # REVIEW: a title for participants",
        "language: en",
        f"duration: {MINUTES * len(parts)}  # the sections' minutes added up",
        f"summary: {_q('REVIEW: one or two sentences, in your own words, on what couples will explore.')}",
        "# REVIEW: the session's safety guidance, printed first in the guide: write it for this topic.",
        "safety: |",
        "  REVIEW: the signs to watch for (fear of a partner, control, threats) and what you will do if",
        "  someone discloses them: speak with them privately, never in front of the room or their partner,",
        "  and offer the sheet of support contacts.",
        "source:",
        f"  title: {_q(article.title)}",
        f"  publisher: {_q('REVIEW: publisher')}  # REVIEW: who published the article",
        "sections:",
    ]
    return "\n".join([*header, *sections, "polls:" if polls else "polls: []", *polls]) + "\n"


def _has_material(article: Article) -> bool:
    lists = (lst for part in article.parts for lst in part.lists)
    return bool(article.reflection_questions) or any(
        not lst.is_questions and len(checklist_options(lst.items)) >= 2 for lst in lists
    )


def import_article(path: Path, module_id: str | None = None) -> str:
    """The YAML of a draft module from the article at `path`; ModuleError saying what was expected when the
    file cannot be read as such an article. The module id is the title's slug unless one is given."""
    return draft_from_article(path, module_id)[1]


def draft_from_article(path: Path, module_id: str | None = None) -> tuple[str, str]:
    """The id and the YAML of a draft module from the article at `path` (see `import_article`)."""
    try:
        text = read_within(Path(path), what="article", limit=ARTICLE_SIZE_LIMIT).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModuleError(f"{EXPECTED} — found a file that is not UTF-8 text", path=str(path)) from None
    try:
        article = parse_article(text)
    except ModuleError as error:
        raise ModuleError(str(error), path=str(path)) from None
    if not _has_material(article):
        raise ModuleError(
            f"{EXPECTED} — found nothing that looks like a list or reflection questions", path=str(path)
        )
    chosen = module_id or slugify(article.title) or "imported-article"
    if not ID_PATTERN.match(chosen):
        raise ModuleError(f"module id {chosen!r} — use lowercase letters, digits and hyphens (at most 60)")
    draft = draft_module(article, chosen, str(path))
    if len(draft.encode()) > MODULE_SIZE_LIMIT:  # checked here, so that no file is written to be refused
        raise ModuleError(
            f"the draft would be {size_text(len(draft.encode()))}, larger than a module can be (at most "
            f"{size_text(MODULE_SIZE_LIMIT)}) — import the article in parts, one file for each",
            path=str(path),
        )
    return chosen, draft
