"""SARIF 2.1.0 for code scanning: rule metadata (with help) from the registry, one result per finding."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from policylint import __version__
from policylint.docs import rule_page, sections
from policylint.findings import Finding, Report, Severity, Span
from policylint.registry import Registry, RuleEntry
from policylint.reporters.stream import Items, iter_json

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule_descriptor(entry: RuleEntry) -> dict[str, Any]:
    spec = entry.spec
    page = rule_page(entry)
    flags = sections(entry.doc).get("What it flags", spec.summary)
    return {
        "id": spec.id,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": flags},
        "help": {"text": page, "markdown": page},
        "defaultConfiguration": {"level": LEVELS[spec.default_severity], "enabled": spec.enabled_by_default},
        "properties": {"tags": [spec.scope], "problem.severity": spec.default_severity.value},
    }


def location(span: Span) -> dict[str, Any] | None:
    if span.file.startswith("<") or span.line < 1:
        return None
    region: dict[str, Any] = {"startLine": span.line, "startColumn": max(span.column, 1)}
    if span.end_line >= span.line and span.end_column >= 1:
        region |= {"endLine": span.end_line, "endColumn": span.end_column}
    return {"physicalLocation": {"artifactLocation": {"uri": file_uri(span.file)}, "region": region}}


def file_uri(file: str) -> str:
    """A file path as a URI reference (SARIF 2.1.0 3.10.2 wants RFC 3986): every byte but the
    unreserved characters and `/` percent-encoded, so spaces, `#`, `?`, `%` and a `:` that would read
    as a scheme stay part of the path; undecodable name bytes are encoded as the bytes they are."""
    return quote(os.fsencode(PurePath(file).as_posix()), safe="/")


def result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
    }
    if finding.rule in index:
        out["ruleIndex"] = index[finding.rule]
    loc = location(finding.span)
    if loc:
        out["locations"] = [loc]
    related = [r for r in (location(s) for s in finding.related) if r]
    if related:
        out["relatedLocations"] = [{"id": i, **r} for i, r in enumerate(related)]
    return out


def chunks(report: Report, registry: Registry) -> Iterator[str]:
    """The log in pieces, one result at a time (reporters/stream.py)."""
    entries = registry.entries
    index = {e.spec.id: i for i, e in enumerate(entries)}
    driver = {
        "name": "policylint",
        "version": __version__,
        "rules": [rule_descriptor(e) for e in entries],
    }
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": Items(result(f, index) for f in report.findings),
    }
    yield from iter_json({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
    yield "\n"


def render(report: Report, registry: Registry) -> str:
    return "".join(chunks(report, registry))
