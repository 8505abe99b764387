"""The smaller defects of issue 17 (point 9), each from its own minimal input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from policylint import api
from policylint.config import ConfigError, load_config
from policylint.findings import close_match

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
