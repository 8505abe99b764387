"""Suppression by comment (line, next line, file) and by annotation; unused ones reported as NP901."""

from __future__ import annotations

from collections.abc import Callable

from policylint.config import load_config
from policylint.findings import Report, Span
from policylint.model import Cluster, Direction, IPBlock, LabelSelector, NetworkPolicy, Peer, Rule

LintCluster = Callable[..., Report]
FILE = "p.yaml"


def policy(annotations: dict[str, str] | None = None) -> NetworkPolicy:
    """shop/office in p.yaml (lines 1-9) with a non-canonical cidr (NP102) whose span is line 8."""
    block = IPBlock("10.1.2.3/16", span=Span(FILE, 8, 20, 8, 31))
    rule = Rule(
        Direction.INGRESS, 0, peers=(Peer(ip_block=block, span=Span(FILE, 8, 11, 8, 33)),), span=Span(FILE, 7, 7)
    )
    return NetworkPolicy(
        "shop", "office", LabelSelector(), ingress=(rule,), span=Span(FILE, 1, 1, 9, 1), annotations=annotations or {}
    )


def source(line8_comment: str = "", line7: str = "    - from:", header: str = "") -> str:
    lines = [
        header or "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata: {name: office, namespace: shop}",
        "spec:",
        "  podSelector: {}",
        "  ingress:",
        line7,
        "        - ipBlock: {cidr: 10.1.2.3/16}" + line8_comment,
    ]
    return "\n".join(lines) + "\n"


def shown(report: Report) -> list[str]:
    return [f"{f.span.line} {f.rule} {f.message}" for f in report.findings]


def test_finding_is_reported_without_suppression(lint_cluster: LintCluster) -> None:
    report = lint_cluster(Cluster.of([], [], [], [policy()]), sources={FILE: source()})
    assert [(f.span.line, f.rule) for f in report.findings] == [(8, "NP102")]


def test_disable_line_by_id_or_name_suppresses_the_finding_on_that_line(lint_cluster: LintCluster) -> None:
    for comment in ("  # policylint: disable-line=NP102", "  # policylint: disable-line=noncanonical-cidr"):
        report = lint_cluster(Cluster.of([], [], [], [policy()]), sources={FILE: source(comment)})
        assert shown(report) == []


def test_disable_line_for_another_rule_keeps_the_finding_and_is_unused(lint_cluster: LintCluster) -> None:
    report = lint_cluster(
        Cluster.of([], [], [], [policy()]), sources={FILE: source("  # policylint: disable-line=NP101")}
    )
    assert shown(report) == [
        "8 NP102 ipBlock cidr 10.1.2.3/16 in shop/office ingress rule 1 has host bits set; "
        "did you mean 10.1.0.0/16 (or 10.1.2.3/32 for the single address)?",
        "8 NP901 unused suppression of NP101: disable-line matched no finding",
    ]


def test_disable_next_line_skips_comment_lines(lint_cluster: LintCluster) -> None:
    text = source(line7="    - from:  # policylint: disable-next-line=NP102")
    assert shown(lint_cluster(Cluster.of([], [], [], [policy()]), sources={FILE: text})) == []


def test_disable_file_works_only_in_the_first_comment_block(lint_cluster: LintCluster) -> None:
    header = "# policylint: disable-file=NP102\napiVersion: networking.k8s.io/v1"
    report = lint_cluster(Cluster.of([], [], [], [policy()]), sources={FILE: source(header=header)})
    # the header pushed the policy down one line in the text, but the directive covers the whole file
    assert shown(report) == []
    late = source() + "# policylint: disable-file=NP102\n"
    report = lint_cluster(Cluster.of([], [], [], [policy()]), sources={FILE: late})
    assert [(f.span.line, f.rule) for f in report.findings] == [(8, "NP102"), (9, "NP901")]
    assert "first comment block" in report.findings[1].message


def test_annotation_suppresses_findings_inside_the_object(lint_cluster: LintCluster) -> None:
    annotated = policy({"policylint.io/disable": "NP105, noncanonical-cidr"})
    report = lint_cluster(Cluster.of([], [], [], [annotated]), sources={FILE: source()})
    assert shown(report) == ["1 NP901 unused suppression of NP105: annotation matched no finding"]


def test_unknown_rule_and_misspelt_directive_are_reported(lint_cluster: LintCluster) -> None:
    text = source("  # policylint: disable-line=NP102,nosuch").replace(
        "  ingress:", "  ingress:  # policylint: disable"
    )
    report = lint_cluster(Cluster.of([], [], [], [policy()]), sources={FILE: text})
    assert shown(report) == [
        "6 NP901 unknown directive 'policylint: disable'",
        "8 NP901 disable-line names unknown rule 'nosuch'",
    ]


def test_unused_suppression_of_a_disabled_rule_is_not_reported(lint_cluster: LintCluster) -> None:
    config = load_config(None).with_rules(disable=["NP101"])
    text = source("  # policylint: disable-line=NP101,NP102")
    assert shown(lint_cluster(Cluster.of([], [], [], [policy()]), config, sources={FILE: text})) == []


def test_input_problems_cannot_be_suppressed_or_disabled(lint_cluster: LintCluster) -> None:
    from policylint.findings import InputProblem
    from policylint.runner import SimpleInput, lint

    problem = InputProblem("NP001", Span(FILE, 8, 1), "tab character in indentation")
    config = load_config(None).with_rules(disable=["NP001"])
    loaded = SimpleInput(Cluster.of([], []), problems=[problem])
    report = lint(loaded, config, sources={FILE: source("  # policylint: disable-line=NP001")})
    assert [(f.rule, f.severity.value) for f in report.findings] == [("NP001", "error"), ("NP901", "info")]
