"""Locations, severities and findings: the vocabulary every layer shares."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A 1-based source range. `file` is the path as given by the user, or `<stdin>`."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<unknown>", 0, 0)


class Severity(Enum):
    """Ordered so that a larger rank is more severe."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule (or the loader) yields; the runner stamps id, name and severity."""

    span: Span
    message: str
    related: tuple[Span, ...] = ()
    # A rule may lower one finding below the rule's severity (never raise it): e.g. info when
    # its claim holds only for the objects in the input (see NP502).
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # id, e.g. NP201
    name: str  # kebab-case name
    severity: Severity
    span: Span
    message: str
    related: tuple[Span, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.rule, self.message)


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    files_read: int = 0
    documents: int = 0
    skipped_kinds: dict[str, int] = field(default_factory=dict)
    skipped_inputs: list[str] = field(default_factory=list)
    # The text of each file a finding points into, for source snippets (text format); not serialised.
    sources: dict[str, str] = field(default_factory=dict, repr=False)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out


MAX_WORD = 512  # characters of one word shown in a message (a label value is at most 63, a key 317)
MAX_COMPARED = 320  # longest text a "did you mean" hint compares (a label key: at most 253 + 1 + 63)
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")


def one_line(text: str) -> str:
    """A message on one line: control characters from user input (label keys, names) are escaped,
    so a crafted value can neither break the line nor forge another finding. A word longer than
    MAX_WORD (a hostile label value of 50,000 characters) is shortened, its length said."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if len(text) > MAX_WORD:
        text = _LONG_WORD.sub(_shorten, text)
    return text


def _shorten(match: re.Match[str]) -> str:
    word = match.group()
    keep_head, keep_tail = 200, 40
    return f"{word[:keep_head]}...[{len(word) - keep_head - keep_tail} more characters]...{word[-keep_tail:]}"


def close_match(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate nearest to `word` (difflib ratio >= cutoff) for a "did you mean" hint, or None.

    Texts longer than MAX_COMPARED are not compared: difflib is quadratic in their length
    (a 50,000-character label value took 8 s), and no real name is that long.
    """
    if len(word) > MAX_COMPARED:
        return None
    pool = sorted(c for c in candidates if len(c) <= MAX_COMPARED)
    found = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A problem found while reading input, before any rule runs (rule ids NP0xx)."""

    rule: str
    span: Span
    message: str


# The input-problem ids the loader emits. Their documentation lives in rules/np0xx_*.py.
YAML_SYNTAX = "NP001"  # unparseable YAML/JSON, tabs, bad encoding, NUL, nesting/alias limits, unsafe tags
SCHEMA_VIOLATION = "NP002"  # wrong type, missing required field, unknown enum value
UNSUPPORTED_API_VERSION = "NP003"  # e.g. extensions/v1beta1 NetworkPolicy
UNREADABLE_INPUT = "NP004"  # unreadable file, symlink loop, empty stdin, path without manifests
DUPLICATE_KEY = "NP005"  # a mapping key written twice
OWNER_LABELS_DIFFER = "NP006"  # pods of one owner merged into one workload carry different labels
