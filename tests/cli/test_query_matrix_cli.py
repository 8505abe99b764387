"""`policylint query` and `policylint matrix` as a user runs them on the bundled example."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from policylint.cli import cli

SHOP = str(Path(__file__).parents[2] / "fixtures" / "examples" / "shop")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_blocked_query_names_the_isolating_policies_and_the_closest_miss() -> None:
    r = run("query", SHOP, "--from", "shop/frontend", "--to", "shop/api", "--port", "9000")
    assert r.exit_code == 0
    assert "BLOCKED" in r.stdout.splitlines()[0]
    assert "isolated by shop/api" in r.stdout
    assert "shop/frontend[Deployment] lacks app=fronend" in r.stdout
    assert "policies-shop.yaml:" in r.stdout  # explanations point at files and lines


def test_allowed_query_names_the_allowing_rule() -> None:
    r = run("query", SHOP, "--from", "shop/api", "--to", "data/StatefulSet/postgres", "--port", "5432/TCP")
    assert r.exit_code == 0
    assert "ALLOWED" in r.stdout.splitlines()[0]
    assert "allowed by data/postgres ingress rule 1" in r.stdout
    assert "allowed by shop/api egress rule 1" in r.stdout


def test_expect_exits_1_when_the_answer_differs() -> None:
    assert run("query", SHOP, "--from", "shop/api", "--to", "data/postgres", "--expect", "allow").exit_code == 0
    r = run("query", SHOP, "--from", "shop/frontend", "--to", "data/postgres", "--expect", "allow")
    assert r.exit_code == 1
    assert "expected allow" in r.stderr


def test_selector_and_cidr_endpoints_list_the_connected_pairs() -> None:
    r = run("query", SHOP, "--from", "*:app=prometheus", "--to", "shop:", "--port", "9090", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["allowed"] is True
    assert [(p["src"], p["dst"]) for p in doc["pairs"]] == [
        ("monitoring/prometheus[Deployment]", "shop/api[Deployment]")
    ]
    r = run("query", SHOP, "--from", "0.0.0.0/0", "--to", "shop/frontend")
    assert "0.0.0.0/0 -> shop/frontend[Deployment] : TCP 8080" in r.stdout


def test_unknown_workload_and_bad_port_are_usage_errors() -> None:
    r = run("query", SHOP, "--from", "shop/nope", "--to", "shop/api")
    assert r.exit_code == 2 and "no workload 'shop/nope'" in r.stderr
    r = run("query", SHOP, "--from", "shop/api", "--to", "shop/api", "--port", "eighty")
    assert r.exit_code == 2 and "PORT" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_a_port_written_on_a_workload_is_a_usage_error_not_a_selector() -> None:
    # `shop/api:80` once read as NS:PODS with namespace `shop/api`, which no namespace can be named
    # (names are RFC 1123 labels: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names),
    # and answered ALLOWED about a made-up pod; seen querying cilium/star-wars-demo.
    r = run("query", SHOP, "--from", "shop/frontend", "--to", "shop/api:9000")
    assert r.exit_code == 2, r.stdout
    assert "'shop/api' is not a namespace name" in r.stderr
    assert "a port is not part of an endpoint: write shop/api and --port 9000" in r.stderr
    r = run("query", SHOP, "--from", "shop/frontend", "--to", "Shop_x:app=api")
    assert r.exit_code == 2 and "'Shop_x' is not a namespace name" in r.stderr
    assert run("query", SHOP, "--from", "shop/frontend", "--to", "shop:app=api").exit_code == 0


def test_matrix_json_lists_only_connected_pairs_and_never_self() -> None:
    r = run("matrix", SHOP, "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)["connections"]
    pairs = {(c["src"].get("name"), c["dst"].get("name")) for c in rows}
    assert ("api", "postgres") in pairs
    assert ("frontend", "postgres") not in pairs
    assert all(c["src"] != c["dst"] for c in rows)
    ext = [c for c in rows if c["src"]["type"] == "external" and c["dst"].get("name") == "frontend"]
    assert ext == [{"src": {"type": "external", "cidrs": ["0.0.0.0/0", "::/0"]},
                    "dst": {"type": "workload", "namespace": "shop", "name": "frontend", "kind": "Deployment"},
                    "conns": {"TCP": [[8080, 8080]]}}]


def test_matrix_formats() -> None:
    text = run("matrix", SHOP).stdout
    assert "shop/api[Deployment] -> data/postgres[StatefulSet] : TCP 5432" in text
    assert run("matrix", SHOP, "-f", "csv").stdout.startswith("src,dst,conns\n")
    assert run("matrix", SHOP, "-f", "md").stdout.startswith("| src | dst | conns |")
    dot = run("matrix", SHOP, "-f", "dot").stdout
    assert dot.startswith("digraph connectivity {") and "->" in dot


def test_matrix_reads_stdin_and_reports_broken_input_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: NetworkPolicy\nmetadata: {name: x\n")
    r = run("matrix", SHOP, str(bad))
    assert r.exit_code == 0
    assert "bad.yaml:" in r.stderr and "NP001" in r.stderr
    assert "shop/api[Deployment] -> data/postgres[StatefulSet]" in r.stdout
    manifest = Path(SHOP, "workloads.yaml").read_text()
    r = CliRunner().invoke(cli, ["matrix", "-"], input=manifest)
    assert r.exit_code == 0 and "All Connections" in r.stdout


def test_ipblocks_match_pods_assumption_lets_a_whole_family_block_admit_pods(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n"
        "spec: {containers: [{name: c, image: i}]}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n"
        "spec: {containers: [{name: c, image: i}]}\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n"
        "spec:\n  podSelector: {matchLabels: {app: b}}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n"
    )
    args = ["query", str(manifest), "--from", "x/a", "--to", "x/b", "--port", "80"]
    assert "BLOCKED" in run(*args).stdout
    assert "ALLOWED" in run(*args, "--ipblocks-match-pods").stdout
