"""Issue 12 point 11: protocol-only ports (NP304), rules open to the internet (NP308), and one
finding for one rule when several rules describe the same `ingress/egress: [{}]`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policylint.config import Config, load_config
from policylint.findings import Report

LintFile = Callable[[Path, Config], Report]

HEAD = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {}
"""


def lint_text(tmp_path: Path, lint_file: LintFile, body: str, config: str = "") -> list[tuple[int, str, str]]:
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + body)
    cfg_path = tmp_path / ".policylint.yaml"
    if config:
        cfg_path.write_text(config)
    report = lint_file(path, load_config(cfg_path if config else None))
    return [(f.span.line, f.rule, f.message) for f in report.findings if f.rule != "NP307"]


def test_egress_allow_all_is_one_finding_of_the_most_specific_rule(tmp_path: Path, lint_file: LintFile) -> None:
    # `egress: [{}]`: "an empty rule ... allows all traffic" (NetworkPolicy docs, "Allow all
    # egress traffic"). NP302 says exactly that; NP304 (all ports) and NP305 (metadata endpoint)
    # are consequences of it and step aside.
    got = lint_text(tmp_path, lint_file, "  policyTypes: [Egress]\n  egress: [{}]\n")
    assert [(line, rule) for line, rule, _ in got] == [(7, "NP302")]


def test_ingress_allow_all_is_one_finding(tmp_path: Path, lint_file: LintFile) -> None:
    got = lint_text(tmp_path, lint_file, "  policyTypes: [Ingress]\n  ingress: [{}]\n")
    assert [(line, rule) for line, rule, _ in got] == [(7, "NP301")]


def test_step_aside_needs_the_superseding_rule_to_fire(tmp_path: Path, lint_file: LintFile) -> None:
    # With NP302 disabled, the rule's other findings are not lost.
    config = "rules:\n  NP302: {enabled: false}\n"
    got = lint_text(tmp_path, lint_file, "  policyTypes: [Egress]\n  egress: [{}]\n", config)
    assert sorted(rule for _, rule, _ in got) == ["NP304", "NP305"]


def test_protocol_only_port_is_every_port_of_that_protocol(tmp_path: Path, lint_file: LintFile) -> None:
    # NetworkPolicyPort.port: "If this field is not provided, this matches all port names and
    # numbers" (API reference, NetworkPolicyPort): `- protocol: TCP` is every TCP port.
    body = """  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {}}]
    ports: [{protocol: TCP}]
  - from: [{namespaceSelector: {}}]
    ports: [{protocol: UDP, port: 1, endPort: 65535}]
  - from: [{namespaceSelector: {}}]
    ports: [{protocol: TCP, port: 1, endPort: 65534}]
"""
    got = [(line, msg) for line, rule, msg in lint_text(tmp_path, lint_file, body) if rule == "NP304"]
    assert [line for line, _ in got] == [8, 10]
    assert "allows every TCP port to a broad peer set" in got[0][1]
    assert "allows every UDP port" in got[1][1]


def test_open_to_internet_needs_every_family_the_cluster_uses(tmp_path: Path, lint_file: LintFile) -> None:
    body = """  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 5432}]
"""
    assert [rule for _, rule, _ in lint_text(tmp_path, lint_file, body)] == ["NP308"]
    # Dual-stack: 0.0.0.0/0 alone leaves the IPv6 internet out; with ::/0 beside it, it is open.
    dual = "rules:\n  NP308: {families: [IPv4, IPv6]}\n"
    assert lint_text(tmp_path, lint_file, body, dual) == []
    both = body.replace("[{ipBlock: {cidr: 0.0.0.0/0}}]", '[{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}]')
    got = lint_text(tmp_path, lint_file, both, dual)
    assert [rule for _, rule, _ in got] == ["NP308"]
    assert "(0.0.0.0/0 and ::/0) on port 5432/TCP" in got[0][2]


def test_open_to_internet_public_port_option(tmp_path: Path, lint_file: LintFile) -> None:
    body = """  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 8443}]
"""
    assert [rule for _, rule, _ in lint_text(tmp_path, lint_file, body)] == ["NP308"]
    config = "rules:\n  NP308: {ports: [8443]}\n"
    assert lint_text(tmp_path, lint_file, body, config) == []


def test_open_to_internet_on_every_port_supersedes_all_ports(tmp_path: Path, lint_file: LintFile) -> None:
    body = "  policyTypes: [Ingress]\n  ingress:\n  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]\n"
    got = lint_text(tmp_path, lint_file, body)
    assert [(line, rule) for line, rule, _ in got] == [(8, "NP308")]
