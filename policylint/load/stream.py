"""Split one YAML/JSON text into located documents, surviving syntax errors and hostile input.

A syntax error loses only the document it is in: parsing resumes at the next `---` line.
Deeply nested documents are found from parser events before libyaml's recursive composer
sees them, so they are reported instead of crashing the process.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml

from policylint.findings import DUPLICATE_KEY, YAML_SYNTAX, InputProblem, Span
from policylint.load.walk import no_gc
from policylint.load.yaml_build import MAX_DEPTH, Builder, Loader, LoadError
from policylint.load.yaml_guards import alias_budget, first_too_deep, is_nesting_error, last_deep_suspect

_TAB_INDENT = re.compile(r"[ \-?:]*\t")
_SEPARATOR = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


@dataclass(slots=True)
class RawDocument:
    """One non-empty YAML document: its value (usually an LMap) and where it starts."""

    value: Any
    span: Span


@dataclass(slots=True)
class Stream:
    documents: list[RawDocument] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


def parse_stream(text: str, file: str) -> Stream:
    """All documents of `text`; problems for the parts that could not be read."""
    with no_gc(), _recursion_for_depth():
        return _parse_all(text, file)




@contextmanager
def _recursion_for_depth() -> Iterator[None]:
    """The builder recurses twice per level; allow MAX_DEPTH levels below the caller's frames."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 3 * MAX_DEPTH + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _parse_all(text: str, file: str) -> Stream:
    """Parse from the start; after a syntax error, resume at the next `---` line.

    Linear in the text however many errors it holds: each attempt reads the text lazily from
    where it resumes (a parser stopping at the next error reads only that far), and what the
    guards need from the whole text is computed once (once, each error rescanned the rest).
    """
    out = Stream()
    scan = _Prescan(last_deep=last_deep_suspect(text), last_star=text.rfind("*"))
    start = line_offset = 0
    while True:
        failed_at = _parse_part(text, start, file, line_offset, scan, out)
        if failed_at is None:
            return out
        resume = _next_document(text, start, failed_at)
        if resume is None:
            return out
        line_offset += resume[0]
        start = resume[1]


@dataclass(frozen=True, slots=True)
class _Prescan:
    last_deep: int  # position of the last part that may nest deeply (-1: none)
    last_star: int  # position of the last `*` (-1: no alias anywhere)


class _Window:
    """`text[start:]` as a stream read on demand (libyaml and PyYAML read streams in chunks)."""

    __slots__ = ("_text", "_pos")
    name = "<unicode string>"

    def __init__(self, text: str, start: int) -> None:
        self._text, self._pos = text, start

    def read(self, size: int = -1) -> str:
        end = len(self._text) if size < 0 else self._pos + size
        chunk = self._text[self._pos : end]
        self._pos += len(chunk)
        return chunk


def _next_document(text: str, start: int, after_line: int) -> tuple[int, int] | None:
    """(lines from `start`, index) of the first `---` line at or after line `after_line` counted from `start`."""
    at = start
    for _ in range(after_line):
        at = text.find("\n", at) + 1
        if at == 0:
            return None
    match = _SEPARATOR.search(text, at)
    if match is not None and match.start() == start:  # always make progress
        match = _SEPARATOR.search(text, start + 1)
    if match is None:
        return None
    return text.count("\n", start, match.start()), match.start()


def _parse_part(text: str, start: int, file: str, line_offset: int, scan: _Prescan, out: Stream) -> int | None:
    """Parse documents of `text[start:]` into `out`; return the 0-based line to resume after, or None when done.

    Parsing stops at a syntax error and before a document nested too deeply to compose.
    """
    too_deep = _first_deep_document(text, start, file, line_offset, scan, out)
    may_alias = scan.last_star >= start
    loader = Loader(_Window(text, start))
    index = 0
    try:
        while loader.check_node():
            if too_deep is not None and index == too_deep[0]:
                return too_deep[1]
            _build(loader.get_node(), may_alias, file, line_offset, out)
            index += 1
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line if mark else 0
        col = mark.column + 1 if mark else 1
        span = Span(file, line + line_offset + 1, col)
        # a parser's own depth limit, met past the pre-scan: said in our words, as the pre-scan would
        message = _NESTING_MESSAGE if is_nesting_error(err) else _syntax_message(err, _line(text, start, line))
        out.problems.append(InputProblem(YAML_SYNTAX, span, message))
        return line
    except yaml.reader.ReaderError as err:  # a character YAML forbids anywhere (control characters)
        line, col = _position_of(text[start:], err.character)  # once: parsing ends here
        message = f"invalid YAML: unacceptable character #x{err.character:04x} ({err.reason})"
        out.problems.append(InputProblem(YAML_SYNTAX, Span(file, line + line_offset + 1, col), message))
    except yaml.YAMLError as err:  # errors without a position
        message = " ".join(str(err).split())  # one line, as every message
        out.problems.append(InputProblem(YAML_SYNTAX, Span(file, line_offset + 1, 1), message))
    finally:
        loader.dispose()
    return None


def _first_deep_document(
    text: str, start: int, file: str, line_offset: int, scan: _Prescan, out: Stream
) -> tuple[int, int] | None:
    """(index, 0-based line) of the first document of `text[start:]` nested deeper than MAX_DEPTH, reported."""
    if scan.last_deep < start:
        return None
    try:
        found = first_too_deep(_Window(text, start))
    except yaml.YAMLError:
        return None  # the composer meets the same error and reports it
    if found is None:
        return None
    out.problems.append(InputProblem(YAML_SYNTAX, Span(file, found[1] + line_offset + 1, 1), _NESTING_MESSAGE))
    return found


_NESTING_MESSAGE = f"nesting deeper than {MAX_DEPTH} levels; document skipped"


def _build(node: Any, may_alias: bool, file: str, line_offset: int, out: Stream) -> None:
    builder = Builder(file, line_offset, alias_budget(node) if may_alias else -1)
    span = Span(file, node.start_mark.line + line_offset + 1, node.start_mark.column + 1)
    try:
        value = builder.value(node, 0)
    except LoadError as err:
        where = Span(file, err.line, err.column)
        out.problems.append(InputProblem(YAML_SYNTAX, where, err.message + "; document skipped"))
        return
    for line, col, message in builder.notes or ():
        out.problems.append(InputProblem(YAML_SYNTAX, Span(file, line, col), message))
    for key, first, line, col in builder.duplicates or ():
        message = f"duplicate key {key!r} (first at line {first}); the last value is used"
        out.problems.append(InputProblem(DUPLICATE_KEY, Span(file, line, col), message))
    if value is not None:
        out.documents.append(RawDocument(value, span))


def _position_of(text: str, character: object) -> tuple[int, int]:
    """(0-based line, 1-based column) of the first `character` in `text` (libyaml reports a byte offset)."""
    at = text.find(chr(character)) if isinstance(character, int) else -1
    if at < 0:
        return 0, 1
    return text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1) + 1


def _syntax_message(err: yaml.MarkedYAMLError, line_text: str) -> str:
    problem = err.problem or "invalid YAML"
    if _TAB_INDENT.match(line_text):
        return f"invalid YAML: tab character used for indentation; YAML allows only spaces ({problem})"
    context = f" {err.context}" if err.context else ""
    return f"invalid YAML: {problem}{context}"


def _line(text: str, start: int, line: int) -> str:
    """The 0-based `line` counted from position `start`."""
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]
