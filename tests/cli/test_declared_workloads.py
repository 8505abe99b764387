"""`workloads:` in .policylint.yaml: workloads that exist outside the input take part in every command."""

from __future__ import annotations

import contextlib
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

DB = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}
      podSelector: {matchLabels: {app: backup}}
    ports: [{port: db}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres, ports: [{name: db, containerPort: 5432}]}]}
"""
CONFIG = """\
# The backup job runs from another repository.
workloads:
  - namespace: ops
    name: backup
    kind: CronJob
    labels: {app: backup}
    ports: [{name: metrics, port: 9102}]
"""


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def setup(tmp_path: Path, config: str = CONFIG) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "db.yaml").write_text(DB)
    (tmp_path / ".policylint.yaml").write_text(config)
    return tmp_path


def test_without_the_declaration_the_workload_is_unknown(tmp_path: Path) -> None:
    setup(tmp_path, "{}\n")
    code, out, err = run(["query", "deploy", "--from", "ops/backup", "--to", "shop/db", "--port", "5432"], tmp_path)
    assert code == 2 and "ops/backup" in err


def test_a_declared_workload_is_selected_and_not_linted_as_the_inputs(tmp_path: Path) -> None:
    setup(tmp_path)
    code, out, _ = run(["lint", "deploy"], tmp_path)
    assert "NP202" not in out
    assert "namespace ops" not in out  # NP307 is about the input's namespaces, not a declared one's


def test_query_and_matrix_see_the_declared_workload_and_say_where_it_is_declared(tmp_path: Path) -> None:
    setup(tmp_path)
    code, out, _ = run(["query", "deploy", "--from", "ops/backup", "--to", "shop/db", "--port", "5432"], tmp_path)
    assert code == 0 and "ALLOWED" in out
    assert "ops/backup[CronJob] (declared in " in out and ".policylint.yaml:3)" in out
    code, out, _ = run(["matrix", "deploy"], tmp_path)
    assert "ops/backup[CronJob] -> shop/db[Deployment] : TCP 5432" in out


def test_diff_evaluates_both_sides_with_the_declared_workload(tmp_path: Path) -> None:
    setup(tmp_path)
    (tmp_path / "head").mkdir()
    (tmp_path / "head" / "db.yaml").write_text(DB.replace("ports: [{port: db}]", "ports: [{port: 5433}]"))
    code, out, _ = run(["diff", "deploy", "head"], tmp_path)
    assert "ops/backup[CronJob] -> shop/db[Deployment]" in out and "removed" in out


def test_a_declaration_with_a_bad_field_is_a_located_config_error(tmp_path: Path) -> None:
    setup(tmp_path, CONFIG.replace("name: metrics, port: 9102", "name: metrics, port: 99999"))
    code, _, err = run(["lint", "deploy"], tmp_path)
    assert code == 2
    assert ".policylint.yaml:7: workloads.0.ports.0.port: 99999 is greater than the maximum of 65535" in err
