"""GitHub Actions workflow commands: one `::error file=...,line=...::message` per finding."""

from __future__ import annotations

from policylint.findings import Finding, Report, Severity
from policylint.reporters.escape import workflow_data, workflow_property

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


escape_data = workflow_data
escape_property = workflow_property


def command(f: Finding) -> str:
    props = []
    if not f.span.file.startswith("<"):
        props.append(f"file={escape_property(f.span.file)}")
        if f.span.line:
            props += [f"line={f.span.line}", f"col={f.span.column}"]
    props.append(f"title={escape_property(f'{f.rule} {f.name}')}")
    return f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(f.message)}"


def render(report: Report) -> str:
    return "".join(command(f) + "\n" for f in report.findings)
