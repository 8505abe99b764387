"""Suppressions: YAML comment directives and the `policylint.io/disable` object annotation.

- `# policylint: disable-line[=ID,name...]` on the line a finding starts on;
- `# policylint: disable-next-line[=...]` on the line before it (blank and comment lines skipped);
- `# policylint: disable-file[=...]` in the file's first comment block;
- `metadata.annotations["policylint.io/disable"]: "NP201,rule-name"` on the object whose span
  contains the finding.

Without `=...` a directive covers every rule. The `Suppressor` remembers which (directive,
rule) pairs were used, so that unused ones can be reported (NP901).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from policylint.findings import Finding, Span
from policylint.model.cluster import Cluster

ANNOTATION = "policylint.io/disable"
DIRECTIVE = re.compile(
    r"(?:^|\s)#\s*policylint:\s*(?P<kind>disable-line|disable-next-line|disable-file|[\w-]+)"
    r"(?:=(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*))?"
)
ALL = "*"


@dataclass(frozen=True, slots=True)
class Directive:
    kind: str  # disable-line | disable-next-line | disable-file | annotation | a misspelt kind
    tokens: tuple[str, ...]  # as written; () means every rule
    span: Span  # where the directive is written (the object's span for annotations)
    scope: Span  # the region it covers: one line, a whole file, or the object's span


def parse_comments(file: str, text: str) -> Iterator[Directive]:
    lines = text.splitlines()
    header = True
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if header and stripped and not stripped.startswith("#") and stripped != "---":
            header = False
        for m in DIRECTIVE.finditer(line):
            tokens = tuple(t.strip() for t in m.group("rules").split(",")) if m.group("rules") else ()
            kind = m.group("kind")
            span = Span(file, number, m.start("kind") + 1)
            yield Directive(kind, tokens, span, directive_scope(kind, file, lines, number, header))


def directive_scope(kind: str, file: str, lines: list[str], number: int, header: bool) -> Span:
    if kind == "disable-file" and header:
        return Span(file, 1, 1, len(lines) + 1, 1)
    if kind == "disable-next-line":
        target = number + 1
        while target <= len(lines) and (not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")):
            target += 1
        return Span(file, target, 1, target, 10**9)
    if kind == "disable-line":
        return Span(file, number, 1, number, 10**9)
    return Span(file, 0, 0)  # misplaced disable-file or unknown kind: covers nothing


def annotation_directives(cluster: Cluster) -> Iterator[Directive]:
    objects: Iterable[object] = (*cluster.policies, *cluster.workloads, *cluster.services, *cluster.namespaces)
    for obj in objects:
        value = getattr(obj, "annotations", {}).get(ANNOTATION)
        span = getattr(obj, "span", None)
        if value is None or span is None:
            continue
        tokens = tuple(t.strip() for t in value.split(",") if t.strip() and t.strip() not in ("all", ALL))
        yield Directive("annotation", tokens, span, span)


def contains(scope: Span, span: Span) -> bool:
    if scope.file != span.file or scope.line == 0:
        return False
    end = (scope.end_line, scope.end_column) if scope.end_line else (scope.line, 10**9)
    return (scope.line, scope.column) <= (span.line, span.column) <= end


class Suppressor:
    """Decides whether a finding is suppressed and records which directive tokens were used."""

    def __init__(self, directives: Iterable[Directive], resolve: Callable[[str], str | None]) -> None:
        self.directives = tuple(directives)
        self._resolve = resolve
        self.used: set[tuple[Directive, str]] = set()

    def suppressed(self, finding: Finding) -> bool:
        hit = False
        for d in self.directives:
            if not contains(d.scope, finding.span):
                continue
            for token in d.tokens or (ALL,):
                if token == ALL or self._resolve(token) == finding.rule:
                    self.used.add((d, token))
                    hit = True
        return hit

    def unused(self, enabled: set[str]) -> Iterator[tuple[Directive, str, str]]:
        """(directive, token, reason) for every token that suppressed nothing."""
        for d in self.directives:
            if d.kind not in ("disable-line", "disable-next-line", "disable-file", "annotation"):
                yield d, d.kind, f"unknown directive 'policylint: {d.kind}'"
                continue
            if d.scope.line == 0:
                yield d, ALL, "disable-file only works in the file's first comment block"
                continue
            for token in d.tokens or (ALL,):
                rule = None if token == ALL else self._resolve(token)
                if token != ALL and rule is None:
                    yield d, token, f"{d.kind} names unknown rule {token!r}"
                elif (d, token) not in self.used and (rule is None or rule in enabled):
                    what = "" if token == ALL else f" of {token}"
                    yield d, token, f"unused suppression{what}: {d.kind} matched no finding"
