"""Machine-readable output: `{"findings": [...], "summary": {...}}`, stable key order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policylint.findings import Finding, Report
from policylint.reporters.stream import Items, iter_json


def finding_data(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "file": f.span.file,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "message": f.message,
        "related": [{"file": s.file, "line": s.line, "column": s.column} for s in f.related],
    }


def summary_data(report: Report) -> dict[str, Any]:
    return {
        **report.counts(),
        "findings": len(report.findings),
        "files_read": report.files_read,
        "documents": report.documents,
        "skipped_kinds": dict(sorted(report.skipped_kinds.items())),
        "skipped_inputs": list(report.skipped_inputs),
    }


def chunks(report: Report) -> Iterator[str]:
    """The document in pieces, one finding at a time (reporters/stream.py)."""
    yield from iter_json({"findings": Items(finding_data(f) for f in report.findings), "summary": summary_data(report)})
    yield "\n"


def render(report: Report) -> str:
    return "".join(chunks(report))
