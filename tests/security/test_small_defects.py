"""The smaller defects of issue 17 (point 9), each from its own minimal input."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import api
from policylint.cli import cli
from policylint.config import ConfigError, load_config
from policylint.findings import Finding, Report, Severity, Span, close_match
from policylint.registry import default_registry
from policylint.reporters.sarif import render as render_sarif

POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: np, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: {value}}}}}
  ingress:
  - ports:
    - port: {port}
"""
POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: x, labels: {{app: {value}}}}}\n"


def lint_lines(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "in.yaml").write_text(text, encoding="utf-8")
    report = api.lint(str(tmp_path / "in.yaml"), load_config(None))
    return [f"{f.span.line} {f.rule} {f.message}" for f in report.findings]


def test_label_value_of_50k_characters_is_not_compared_nor_printed_whole(tmp_path: Path) -> None:
    # Distinct characters defeat difflib's junk heuristic: its ratio is then quadratic in the length.
    value = "".join(chr(0x4E00 + (i * 7919) % 5000) for i in range(50_000))
    near = value[:-1] + "x"
    start = time.process_time()
    assert close_match(near, [value]) is None  # too long to be a name: not compared
    lines = lint_lines(tmp_path, POD.format(value=value) + "---\n" + POLICY.format(value=near, port=80))
    assert time.process_time() - start < 10
    assert lines and all(len(line) < 1_000 for line in lines)  # 100 KB lines before
    invalid = [line for line in lines if " NP104 " in line]
    assert invalid and "more characters]" in invalid[0] and value[:90] in invalid[0]


def test_did_you_mean_still_works_for_real_names() -> None:
    assert close_match("ap", ["app", "tier"]) == "app"
    assert close_match("a" * 400, ["a" * 399]) is None


def test_integer_of_5000_digits_is_one_located_problem_and_the_document_stays(tmp_path: Path) -> None:
    # Python refuses int() of more than 4,300 digits: once the whole document was dropped.
    lines = lint_lines(tmp_path, POLICY.format(value="web", port="9" * 5000))
    assert "8 NP001 integer of 5000 characters is too long to read as a number; read as text" in lines
    assert any(line.startswith("8 NP103 port name '999") and "outside 1-65535" in line for line in lines)
    assert any(" NP301 " in line for line in lines)  # the policy itself was still read and analysed


def test_integer_of_5000_digits_in_the_config_is_a_located_config_error(tmp_path: Path) -> None:
    config = tmp_path / ".policylint.yaml"
    config.write_text("ignore: [a]\nsmt-timeout: " + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.policylint\.yaml:2: invalid value: '9+\.\.\. \(5000 characters\)'"):
        load_config(config)


@pytest.mark.parametrize(
    ("name", "uri"),
    [
        ("k8s/a b#c?d%e.yaml", "k8s/a%20b%23c%3Fd%25e.yaml"),  # a fragment, a query, a literal percent
        ("c:x/é.yaml", "c%3Ax/%C3%A9.yaml"),  # a colon in the first segment would read as a scheme
        (os.fsdecode(b"k8s/caf\xe9.yaml"), "k8s/caf%E9.yaml"),  # not UTF-8: the byte itself
        ("k8s/ok-_.~1.yaml", "k8s/ok-_.~1.yaml"),
    ],
)
def test_sarif_uri_is_percent_encoded(tmp_path: Path, name: str, uri: str) -> None:
    # SARIF 2.1.0 artifactLocation.uri is an RFC 3986 URI reference.
    report = Report(findings=[Finding("NP001", "yaml-syntax", Severity.ERROR, Span(name, 3, 1), "m")])
    sarif = json.loads(render_sarif(report, default_registry()))
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


@pytest.mark.parametrize(
    "args",
    [["matrix", "-n", "BAD NS"], ["lint", "--default-namespace", "BAD NS"], ["query", "-n", "Shop", "--from", "any"],
     ["diff", "-n", "x" * 64], ["lint", "--default-namespace", "-x"]],  # fmt: skip
)
def test_namespace_option_must_be_a_dns_label(tmp_path: Path, args: list[str]) -> None:
    # Kubernetes namespace names are DNS-1123 labels; a typo here matched nothing, silently.
    (tmp_path / "pod.yaml").write_text(POD.format(value="a"), encoding="utf-8")
    command, *options = args
    paths = [str(tmp_path / "pod.yaml")] * (2 if command == "diff" else 1)
    result = CliRunner().invoke(cli, [command, *paths, *options])
    assert result.exit_code == 2
    assert "is not a namespace name" in result.stderr and "Traceback" not in result.stderr
