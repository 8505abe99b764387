"""Rendered text/json/github output equals tests/golden/* (rewrite with --update-golden)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policylint.findings import Finding, Report, Severity, Span
from policylint.reporters import github, json, text

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def sample_report() -> Report:
    findings = [
        Finding(
            "NP106",
            "duplicate-policy",
            Severity.ERROR,
            Span("k8s/a.yaml", 9, 1),
            "NetworkPolicy shop/deny is already defined at k8s/a.yaml:1:1; only one of them can exist",
            (Span("k8s/a.yaml", 1, 1),),
        ),
        Finding(
            "NP102",
            "noncanonical-cidr",
            Severity.WARNING,
            Span("k8s/a.yaml", 12, 25, 12, 36),
            "ipBlock cidr 10.1.2.3/16 in shop/office ingress rule 1 has host bits set; did you mean 10.1.0.0/16?",
        ),
        Finding(
            "NP901",
            "unused-suppression",
            Severity.INFO,
            Span("k8s/b.yaml", 3, 5),
            "unused suppression of NP101: disable-line matched no finding, 100% unused",
        ),
    ]
    # k8s/b.yaml's text is not known (as for stdin without its text): its finding has no snippet.
    return Report(
        findings,
        files_read=2,
        documents=4,
        skipped_kinds={"ConfigMap": 2},
        skipped_inputs=["README.md"],
        sources={"k8s/a.yaml": A_YAML},
    )


A_YAML = "".join(f"# line {n}\n" for n in range(1, 9)) + (
    "kind: NetworkPolicy\nspec:\n  ingress:\n      - ipBlock: {cidr: 10.1.2.3/16}\n"
)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "report.txt": lambda r: text.render(r),
    "report.concise.txt": lambda r: text.render(r, snippets=False),
    "report.json": lambda r: json.render(r),
    "report.github": lambda r: github.render(r),
    "empty.txt": lambda _r: text.render(Report()),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_output_matches_golden(name: str, update_golden: bool) -> None:
    output = RENDERERS[name](sample_report())
    path = GOLDEN / name
    if update_golden:
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8")


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in text.render(sample_report())
    coloured = text.render(sample_report(), color=True)
    assert "\x1b[31merror\x1b[0m" in coloured and "\x1b[33mwarning\x1b[0m" in coloured


def test_snippet_escapes_control_characters_and_cuts_long_lines() -> None:
    from policylint.reporters.snippet import snippet

    # The caret stays under the value once the escape before it has lengthened the line.
    _, shown, caret = snippet(Span("f", 1, 9, 1, 12), "k: \x1b[2J abc\n")
    assert "\x1b" not in shown and shown.index("abc") == caret.index("^^^")
    long = "x" * 300 + "TARGET" + "y" * 300
    _, shown, caret = snippet(Span("f", 1, 301, 1, 307), long)
    assert len(shown) < 140 and shown.index("TARGET") == caret.index("^^^^^^")
    assert snippet(Span("f", 5, 1), "one line\n") == []  # a span outside the text: no snippet
