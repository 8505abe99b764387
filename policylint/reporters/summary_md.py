"""The pull-request summary in Markdown: headline, connection tables, new findings by severity.

Empty output when nothing changed, so a workflow can skip posting a comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.findings import Finding, Severity
from policylint.queries.diff import Change, Diff
from policylint.queries.diff_statements import statements
from policylint.reporters.diff import TITLES, Said, conns_text, exposure_lines, headline, plural, workload_lines

SEVERITY_TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    return f"`{text}`" if text and "`" not in text else cell(text)


def connection_table(said: Said, kind: Change) -> list[str]:
    rows = said[kind]
    if not rows:
        return []
    head = "Change" if kind is Change.CHANGED else "Ports"
    out = ["", f"### {TITLES[kind]} ({len(rows)})", "", f"| From | To | {head} |", "|---|---|---|"]
    out += [f"| {code(str(r.src))} | {code(str(r.dst))} | {cell(conns_text(r))} |" for r in rows]
    return out


def workloads_part(diff: Diff) -> list[str]:
    out: list[str] = []
    for title, group in (("New workloads", diff.appeared), ("Removed workloads", diff.disappeared)):
        if group:
            out += ["", f"### {title} ({len(group)})", ""]
            for w in group:
                out.append(f"- `{w.workload}`")
                out += [f"  - {cell(x)}" for x in workload_lines(w)]
    return out


def findings_part(findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return []
    out = ["", f"### New findings ({len(findings)})"]
    for severity in sorted(Severity, key=lambda s: -s.rank):
        chosen = [f for f in findings if f.severity is severity]
        if chosen:
            out += ["", f"**{SEVERITY_TITLES[severity]} ({len(chosen)})**", ""]
            out += [f"- `{f.span.file}:{f.span.line}` **{f.rule}** {f.name}: {cell(f.message)}" for f in chosen]
    return out


def render(diff: Diff, findings: Sequence[Finding] | None = None, said: Said | None = None) -> str:
    """Markdown for a PR comment or job summary; '' when neither connectivity nor findings changed."""
    if diff.empty and not findings:
        return ""
    lines = ["## policylint: change impact", "", f"**{headline(diff, findings)}**"]
    said = said if said is not None else statements(diff)
    exposures = exposure_lines(diff, said)
    if exposures:
        lines += ["", f"> [!WARNING]\n> {plural(len(exposures), 'new exposure')}"]
        lines += [f"> - {cell(x)}" for x in exposures]
    for kind in (Change.ADDED, Change.REMOVED, Change.CHANGED):
        lines += connection_table(said, kind)
    lines += workloads_part(diff)
    lines += findings_part(findings or [])
    return "\n".join(lines) + "\n"
