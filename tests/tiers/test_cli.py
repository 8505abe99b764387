"""The admin tiers through the commands a user runs: lint, matrix, query, diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from tier_probe import needs_concrete

from policylint.cli import cli

ROOT = Path(__file__).resolve().parents[2]
TIERS = ROOT / "fixtures" / "tiers"
SHOP = ROOT / "fixtures" / "examples" / "shop"
ADMIN = str(TIERS / "admin-before-networkpolicy" / "manifests.yaml")
DENY_SHOP_TO_DATA = """apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-shop-to-data}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}}
  ingress:
  - action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_lint_reports_tier_rules_at_the_rule_line(tmp_path: Path) -> None:
    path = tmp_path / "cnp.yaml"
    head = DENY_SHOP_TO_DATA.split("  ingress:")[0]
    path.write_text(head + "  egress:\n  - action: Deny\n    to: [{networks: [0.0.0.0/0]}]\n")
    r = run("lint", str(path), "--format", "json")
    found = [(f["rule"], f["line"]) for f in json.loads(r.stdout)["findings"] if f["rule"].startswith("NP70")]
    assert found == [("NP703", 10)]


def test_an_invalid_cluster_network_policy_is_a_located_np002_and_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "cnp.yaml"
    path.write_text(DENY_SHOP_TO_DATA.replace("priority: 10", "priority: 1001"))
    r = run("lint", str(path), "--format", "json")
    assert r.exit_code == 1
    # NP733 (info) says the policies were taken as enforced with no cni set.
    assert [(f["rule"], f["line"]) for f in json.loads(r.stdout)["findings"] if f["rule"] != "NP733"] == [("NP002", 6)]


@needs_concrete()
def test_matrix_leaves_out_what_the_admin_deny_denies() -> None:
    r = run("matrix", ADMIN, "--format", "json")
    assert r.exit_code == 0
    conns = {(c["src"].get("name"), c["dst"].get("name")): c["conns"] for c in json.loads(r.stdout)["connections"]}
    # guard's rule 1 denies TCP 8080 from blog; rule 2 accepts the rest from writer.
    assert conns[("writer", "web")] == {"TCP": [[1, 8079], [8081, 65535]], "UDP": [[1, 65535]], "SCTP": [[1, 65535]]}
    assert ("web", "db") not in conns  # db-isolated decides: no Admin rule matches shop sources


@needs_concrete()
def test_query_answers_with_the_admin_tier() -> None:
    blocked = run("query", ADMIN, "--from", "blog/writer", "--to", "shop/web", "--port", "8080")
    assert blocked.exit_code == 0 and "BLOCKED" in blocked.stdout.splitlines()[0]
    allowed = run("query", ADMIN, "--from", "blog/writer", "--to", "shop/db", "--port", "5432")
    assert "ALLOWED" in allowed.stdout.splitlines()[0]


@needs_concrete()
def test_diff_of_an_added_admin_deny_lists_the_removed_connections(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(SHOP, base)
    shutil.copytree(SHOP, head)
    (head / "admin.yaml").write_text(DENY_SHOP_TO_DATA)
    r = run("diff", str(base), str(head))
    assert "0 connections added, 1 removed" in r.stdout
    assert "shop/api[Deployment] -> data/postgres[StatefulSet] : TCP 5432" in r.stdout
