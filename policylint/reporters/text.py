"""Human-readable output: `file:line:col: severity NP201 [name] message`, grouped by file."""

from __future__ import annotations

from itertools import groupby

from policylint.findings import Finding, Report, Severity
from policylint.reporters.escape import terminal
from policylint.reporters.snippet import snippet

COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"


def line(finding: Finding, color: bool) -> str:
    sev = finding.severity.value
    if color:
        sev = f"{COLORS[finding.severity]}{sev}{RESET}"
    rule = f"{BOLD}{finding.rule}{RESET}" if color else finding.rule
    return f"{terminal(str(finding.span))}: {sev} {rule} [{finding.name}] {terminal(finding.message)}"


def summary(report: Report) -> str:
    counts = report.counts()
    parts = [plural(counts["error"], "error"), plural(counts["warning"], "warning"), plural(counts["info"], "info")]
    text = f"{', '.join(parts)} in {plural(report.files_read, 'file')} ({plural(report.documents, 'document')})"
    if report.skipped_kinds:
        kinds = ", ".join(f"{k} ({n})" for k, n in sorted(report.skipped_kinds.items()))
        text += f"; skipped kinds: {kinds}"
    if report.skipped_inputs:
        text += f"; skipped inputs: {len(report.skipped_inputs)}"
    return terminal(text)


def with_snippet(finding: Finding, report: Report, color: bool) -> str:
    """The finding's line, then its source line with a caret under the column (when the text is known)."""
    text = report.sources.get(finding.span.file)
    shown = line(finding, color)
    if text is None:
        return shown
    colors = (f"{BOLD}\x1b[34m", COLORS[finding.severity], RESET) if color else ("", "", "")
    return "\n".join([shown, *snippet(finding.span, text, *colors)])


def render(report: Report, color: bool = False, verbose: bool = False, snippets: bool = True) -> str:
    """Findings grouped by file (blank line between files), then one summary line. `snippets`:
    each finding followed by its source line and a caret (the `text` format; `concise` has none)."""
    groups = groupby(report.findings, lambda f: f.span.file)
    between = "\n\n" if snippets else "\n"  # a blank line after each snippet, as ruff prints them
    blocks = [between.join(with_snippet(f, report, color) if snippets else line(f, color) for f in group)
              for _file, group in groups]  # fmt: skip
    out = "\n\n".join(blocks)
    if verbose and report.skipped_inputs:
        out += ("\n\n" if out else "") + "\n".join(f"skipped: {terminal(s)}" for s in report.skipped_inputs)
    tail = summary(report)
    if color:
        tail = f"{DIM}{tail}{RESET}"
    return f"{out}\n\n{tail}\n" if out else f"{tail}\n"
