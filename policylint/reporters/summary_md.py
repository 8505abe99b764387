"""The pull-request summary in Markdown: headline, connection tables, new findings by severity.

Empty output when nothing changed, so a workflow can skip posting a comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.findings import Finding, Severity
from policylint.queries.diff import Change
from policylint.queries.exposure_diff import describe
from policylint.queries.impact import Impact
from policylint.reporters.diff import TITLES, Said, conns_text, exposure_lines, headline, plural, workload_lines
from policylint.reporters.escape import md_code, md_text

SEVERITY_TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}


def cell(text: str) -> str:
    """Text from the input (names, label values, messages) in a table cell or list item."""
    return md_text(text)


def code(text: str) -> str:
    return md_code(text, in_table=True)


def connection_table(said: Said, kind: Change) -> list[str]:
    rows = said[kind]
    if not rows:
        return []
    head = "Change" if kind is Change.CHANGED else "Ports"
    out = ["", f"### {TITLES[kind]} ({len(rows)})", "", f"| From | To | {head} |", "|---|---|---|"]
    out += [f"| {code(str(r.src))} | {code(str(r.dst))} | {cell(conns_text(r))} |" for r in rows]
    return out


def workloads_part(impact: Impact) -> list[str]:
    diff = impact.diff
    out: list[str] = []
    for title, group in (("New workloads", diff.appeared), ("Removed workloads", diff.disappeared)):
        if group:
            out += ["", f"### {title} ({len(group)})", ""]
            for w in group:
                out.append(f"- {md_code(str(w.workload))}")
                out += [f"  - {cell(x)}" for x in workload_lines(impact, w)]
    return out


def finding_item(f: Finding) -> str:
    return f"- {md_code(f'{f.span.file}:{f.span.line}')} **{f.rule}** {f.name}: {cell(f.message)}"


def findings_part(findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return []
    out = ["", f"### New findings ({len(findings)})"]
    for severity in sorted(Severity, key=lambda s: -s.rank):
        chosen = [f for f in findings if f.severity is severity]
        if chosen:
            out += ["", f"**{SEVERITY_TITLES[severity]} ({len(chosen)})**", ""]
            out += [finding_item(f) for f in chosen]
    return out


def fixed_part(findings: Sequence[Finding]) -> list[str]:
    """Folded: good news needs less room than new problems."""
    if not findings:
        return []
    out = ["", f"<details><summary>Fixed findings ({len(findings)}), lines as on the base</summary>", ""]
    return out + [finding_item(f) for f in findings] + ["", "</details>"]


def render(impact: Impact) -> str:
    """Markdown for a PR comment or job summary; '' when neither connectivity nor findings changed
    and nothing went unseen (a side that could not read an object may hide a change)."""
    if impact.empty and not impact.unseen:
        return ""
    said = impact.said
    lines = ["## policylint: change impact", "", f"**{headline(impact)}**"]
    if impact.unseen:
        lines += ["", f"> [!NOTE]\n> What this diff could not see ({len(impact.unseen)}):"]
        lines += [f"> - {cell(x)}" for x in impact.unseen]
    if impact.entries.opened:
        lines += ["", f"> [!CAUTION]\n> {plural(len(impact.entries.opened), 'new way')} in from outside the cluster"]
        lines += [f"> - {cell(describe(e))}" for e in impact.entries.opened]
    if impact.entries.closed:
        lines += ["", f"{plural(len(impact.entries.closed), 'way')} in from outside closed:"]
        lines += [f"- {cell(describe(e))}" for e in impact.entries.closed]
    exposures = exposure_lines(impact)
    if exposures:
        lines += ["", f"> [!WARNING]\n> {plural(len(exposures), 'new exposure')}"]
        lines += [f"> - {cell(x)}" for x in exposures]
    for kind in (Change.ADDED, Change.REMOVED, Change.CHANGED):
        lines += connection_table(said, kind)
    lines += workloads_part(impact)
    lines += findings_part(impact.new_findings or [])
    lines += fixed_part(impact.fixed_findings or [])
    return "\n".join(lines) + "\n"
