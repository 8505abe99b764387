"""Locations, severities and findings: the vocabulary every layer shares."""

from __future__ import annotations

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


def one_line(text: str) -> str:
    """A message on one line: control characters from user input (label keys, names) are escaped,
    so a crafted value can neither break the line nor forge another finding."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


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
