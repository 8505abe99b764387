"""query, matrix and diff say on stderr what the answer could not see (issue 12, points 10 and 12)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: demo, labels: {app: api}}
spec: {containers: [{name: a, image: x}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: c, namespace: demo}
"""


def test_query_and_matrix_name_the_unmodelled_kinds(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(POD)
    for args in (["query", str(tmp_path), "--from", "any", "--to", "demo/api", "--no-smt"], ["matrix", str(tmp_path)]):
        result = CliRunner().invoke(cli, args)
        assert "NP801" in result.stderr and "AuthorizationPolicy" in result.stderr
        assert "NP801" not in result.stdout


def test_diff_says_base_could_not_read_a_retired_api_version(tmp_path: Path) -> None:
    # Deployment extensions/v1beta1 was removed in 1.16
    # (https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-16).
    deployment = """\
apiVersion: {v}
kind: Deployment
metadata: {{name: api, namespace: demo}}
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec: {{containers: [{{name: a, image: x}}]}}
"""
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "base" / "d.yaml").write_text(deployment.format(v="extensions/v1beta1"))
    (tmp_path / "head" / "d.yaml").write_text(deployment.format(v="apps/v1"))
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "base"), str(tmp_path / "head"), "--no-smt"])
    assert "BASE" in result.stderr and "NP003" in result.stderr
