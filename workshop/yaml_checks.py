"""Reading a module file's YAML: where every key and item stands, keys written twice, and plain words for
the YAML mistakes a trainer makes most (a line indented out of step, a ': ' inside a value, a quote or a
bracket left open, a tab).

PyYAML's own messages ("mapping values are not allowed here", "expected <block end>") name the parser's
state, not the trainer's line: each is turned here into what is wrong on which line, and what to do.
What a module never needs and a hostile file uses (anchors and aliases, tags, deep nesting) is refused.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from workshop.errors import ModuleError


class Located(dict[str, Any]):
    """A mapping that remembers the line and column of itself and of each key (1-based), and the keys
    written twice in it: (key, where the first one stands, where the second one stands)."""

    where: tuple[int, int] = (0, 0)
    key_where: dict[str, tuple[int, int]]
    repeated: list[tuple[str, tuple[int, int], tuple[int, int]]]


class LocatedList(list[Any]):
    where: tuple[int, int] = (0, 0)
    item_where: list[tuple[int, int]]


# How deep lists and mappings may nest: a module needs 4 (module, sections, a section, its polls), so this
# is far above any real file, and far below where Python's recursion would run out.
NESTING_LIMIT = 20
# The tags that only say what a value already is ('!!str 10' keeps 10 as text); any other is refused.
PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that a module file may not use; `problem` is the plain message."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases (an alias bomb expands a few lines into
    billions of values), tags other than the plain ones, and lists or mappings nested too deep."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        line = mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise Refused(
                problem=f"a value on line {line} starts with '*' ('*{event.anchor}' is a YAML alias, which a "
                "module does not use) — write the value out in full, or put it in quotes",
                problem_mark=mark,
            )
        if event.anchor is not None:
            raise Refused(
                problem=f"line {line} has '&{event.anchor}' (a YAML anchor, which a module does not use) — "
                "remove it and write each value out in full, or put the value in quotes",
                problem_mark=mark,
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in PLAIN_TAGS:
            raise Refused(
                problem=f"line {line} has the YAML tag '{_shorten(_as_written(str(tag)), 60)}', which a "
                "module does not use — remove it, or put the value in quotes",
                problem_mark=mark,
            )
        nests = isinstance(event, yaml.CollectionStartEvent)
        if nests:
            self.depth += 1
            if self.depth > NESTING_LIMIT:
                raise Refused(
                    problem=f"line {line} nests lists or fields more than {NESTING_LIMIT} deep; a module "
                    "needs 4 — check the brackets and the indentation from here up",
                    problem_mark=mark,
                )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= nests


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    mapping = Located()
    mapping.where = _mark(node)
    mapping.key_where = {}
    mapping.repeated = []
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in mapping.key_where:  # PyYAML lets the second one win without a word
            mapping.repeated.append((key, mapping.key_where[key], _mark(key_node)))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_where[key] = _mark(key_node)
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    items = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    items.where = _mark(node)
    items.item_where = [_mark(child) for child in node.value]
    return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(text: str, path: str) -> Any:
    """The file's data, with locations; ModuleError with a plain message when it is not valid YAML."""
    try:
        return yaml.load(text, Loader=_Loader)
    except Refused as error:
        line, column = _line_column(error.problem_mark)
        raise ModuleError(f"{path}:{line}:{column}: {error.problem}") from None
    except yaml.MarkedYAMLError as error:
        line, column, message = plain_syntax_error(error, text)
        raise ModuleError(f"{path}:{line}:{column}: YAML syntax error: {message}") from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow in a file
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        raise ModuleError(
            f"{path}:{line}:{column}: line {line} holds a control character (U+{error.character:04X}) that "
            "YAML does not allow — delete it (it often comes from copying out of another program)"
        ) from None


def compose(text: str) -> yaml.Node | None:
    """The file's YAML as nodes, refused as `read_yaml` refuses it (raises yaml.YAMLError)."""
    return yaml.compose(text, Loader=_Loader)


def _line_column(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _as_written(tag: str) -> str:
    """A tag as a file writes it: 'tag:yaml.org,2002:python/object' is '!!python/object'."""
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_of_scalars(text: str) -> list[tuple[int, int]]:
    """Where each value's text stands in the file, as (start, end) character offsets; comments are
    everything outside these and the keys. Empty when the file is not valid YAML."""
    try:
        root = compose(text)
    except yaml.YAMLError:
        return []
    spans: list[tuple[int, int]] = []
    waiting = [root] if root is not None else []
    while waiting:
        node = waiting.pop()
        if isinstance(node, yaml.ScalarNode):
            spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, yaml.SequenceNode):
            waiting.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            waiting.extend(value for _, value in node.value)  # keys are field names, not text
    return spans


# --- plain words for YAML's syntax errors -----------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _field_indent(line: str) -> int:
    """Where the field on a line starts: after its spaces and any '- ' that opens a list item."""
    found = re.match(r"^(?:\s*-\s+)*\s*", line)
    return found.end() if found else 0


def _spaces(n: int) -> str:
    return "no spaces" if n == 0 else "1 space" if n == 1 else f"{n} spaces"


def _line_above(lines: list[str], number: int) -> int:
    """The number of the nearest line above `number` (1-based) holding something other than a comment;
    0 when there is none."""
    for above in range(number - 1, 0, -1):
        stripped = lines[above - 1].strip()
        if stripped and not stripped.startswith("#"):
            return above
    return 0


def _out_of_step(lines: list[str], number: int) -> str:
    """A line indented out of step with the line above it: how, and what to do."""
    above = _line_above(lines, number)
    line = lines[number - 1]
    if not above:
        return f"line {number} is indented — start it at the beginning of the line"
    want = _field_indent(lines[above - 1])
    if line.lstrip().startswith("- ") and lines[above - 1].lstrip().startswith("- "):
        want = _indent(lines[above - 1])  # one list item under another: the dashes line up
    if lines[above - 1].rstrip().endswith((":", "|", ">")):  # the line above leads into this one
        want = _field_indent(lines[above - 1]) + 2
        return (
            f"line {number} is indented {_spaces(_indent(line))}, which does not fit under line {above} — "
            f"indent it by {_spaces(want)}, or like the field it belongs to"
        )
    what = "field" if re.match(r"^\s*(?:-\s+)*[\w-]+\s*:(\s|$)", lines[above - 1]) else "line"
    if _indent(line) > want:
        return (
            f"line {number} is indented more than the {what} above it — indent it like line {above} "
            f"({_spaces(want)})"
        )
    return (
        f"line {number} is indented less than the {what} above it — indent it like line {above} "
        f"({_spaces(want)}), or, if it belongs to an outer part, like that part's fields"
    )


def plain_syntax_error(error: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """The line, column and plain message for a YAML syntax error."""
    lines = text.splitlines() or [""]
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    line = min(line, len(lines))
    context_mark = error.context_mark
    opened = (context_mark.line + 1, context_mark.column + 1) if context_mark else (line, column)
    problem, context = error.problem or "", error.context or ""
    here = lines[line - 1]
    if "'\\t'" in problem:
        if not here[: column - 1].strip():
            return line, column, f"line {line} is indented with a tab — indent with spaces only"
        return line, column, f"line {line} has a tab at column {column} — write spaces instead"
    if "quoted scalar" in context and "end of stream" in problem:
        return (
            *opened,
            f"the quote opened on line {opened[0]} is never closed — end the value with the same quote "
            "mark on that line",
        )
    if "unknown escape character" in problem:
        return (
            line,
            column,
            "a backslash inside double quotes starts a special character — write \\\\ for a backslash, "
            "or put the value in single quotes",
        )
    if context.startswith("while parsing a flow"):
        closing = "]" if "sequence" in context else "}"
        return (
            *opened,
            f"the '{'[' if closing == ']' else '{'}' opened on line {opened[0]} is not closed — "
            f"end it with '{closing}' on that line, and put any item holding ', ' or ': ' in quotes",
        )
    if problem == "mapping values are not allowed here":
        before = here[: column - 1]
        if column > 1024 and ": " not in before:  # YAML reads no field name longer than that
            return (
                line,
                1,
                f"line {line} starts with a field name over 1024 characters long — a field name is a short "
                "word such as 'title'; check that this is the module file you meant",
            )
        if re.search(r":\s", before):
            key = re.match(r"^\s*(?:-\s+)*([^:]+):", here)
            name = key[1].strip() if key else "field"
            return (
                line,
                column,
                f"line {line} has a second ': ' inside the value of '{name}' — put the value in quotes, "
                f'e.g. {name}: "…"',
            )
        return line, _indent(here) + 1, _out_of_step(lines, line)
    if problem.startswith("expected <block end>") or "could not find expected ':'" in problem:
        if "could not find expected ':'" in problem:
            line, column = opened
            here = lines[line - 1]
        starts_line = column - 1 <= _field_indent(here)
        above = _line_above(lines, line)
        if not starts_line:
            return (
                line,
                column,
                f"line {line} has more text after a closing quote — put the whole value in quotes (inside "
                "'…', write an apostrophe as '')",
            )
        if "'-'" in problem and above and _indent(here) == _indent(lines[above - 1]):
            return (
                line,
                column,
                f"line {line} starts a list item ('- ') but line {above} above it is not one — start each "
                "item with '- ' and a space, and put the list under the field it belongs to, indented",
            )
        if "could not find expected ':'" in problem and above and _indent(here) >= _indent(lines[above - 1]):
            return (
                line,
                _indent(here) + 1,
                f"line {line} has no ':' after its field name — write it as 'name: value'",
            )
        return line, _indent(here) + 1, _out_of_step(lines, line)
    if "cannot start any token" in problem or "while scanning an alias" in context or "anchor" in context:
        return (
            line,
            column,
            f"a value on line {line} starts with a sign YAML reserves — put the value in quotes",
        )
    if "undefined alias" in problem:
        return line, column, f"a value on line {line} starts with '*' — put the value in quotes"
    if "another document" in problem:
        return line, column, f"line {line} ('---') starts a second module — keep one module in a file"
    if "while scanning a block scalar" in context:
        return (
            line,
            column,
            f"line {line} has text after '|' or '>' — start the text on the next line, indented",
        )
    return line, column, f"{problem} — check indentation and quotes on line {line} and the one above"
