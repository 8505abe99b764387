"""`query` on a blocked flow names the closest misses among the tier rules, as it does for
NetworkPolicy rules: the subject, peer or port a rule lacks, or the rule that decided first.

Semantics cited: ClusterNetworkPolicyIngressRule.Protocols / Action and ClusterNetworkPolicySpec
(rules in written order, first match decides; Admin before NetworkPolicy before Baseline) in
https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go;
ClusterNetworkPolicyIngressPeer: ingress peers are namespaces and pods only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policylint.cli import cli

CLUSTER = """apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: ops}}
---
apiVersion: v1
kind: Namespace
metadata: {name: blog, labels: {team: blog}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 9090, name: metrics}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: prom, namespace: monitoring, labels: {app: prometheus}}
spec: {containers: [{name: c, image: prom}]}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: blog, labels: {app: writer}}
spec: {containers: [{name: c, image: ghost}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: shop-guard}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {team: shop}}}
  ingress:
  - name: allow-monitoring
    action: Accept
    from: [{namespaces: {matchLabels: {team: ops}}}]
    protocols: [{tcp: {destinationPort: {number: 9100}}}]
  - name: deny-rest
    action: Deny
    from: [{namespaces: {}}]
  - name: too-late
    action: Accept
    from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: writer}}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: blog-baseline}
spec:
  tier: Baseline
  priority: 5
  subject: {namespaces: {matchLabels: {team: blog}}}
  ingress:
  - name: from-shop
    action: Accept
    from: [{namespaces: {matchLabels: {team: shop}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: isolate, namespace: blog}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("misses") / "cluster.yaml"
    path.write_text(CLUSTER)
    return path


def ingress(cluster: Path, src: str, dst: str, port: str) -> tuple[list[str], dict[str, Any]]:
    args = ["query", str(cluster), "--from", src, "--to", dst, "--port", port]
    text = CliRunner().invoke(cli, args).stdout
    doc = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).stdout)
    assert not doc["allowed"]
    lines = text.splitlines()
    start = lines.index("  closest misses among tier rules:")
    return lines[start + 1 :], doc["ingress"]


def test_a_port_the_rule_does_not_name(cluster: Path) -> None:
    lines, doc = ingress(cluster, "monitoring/prom", "shop/web", "9090")
    assert lines[0].startswith(
        "    ClusterNetworkPolicy shop-guard (Admin, priority 10) ingress rule 1 'allow-monitoring' ("
    )
    assert lines[0].endswith(":36:5): would match but TCP 9090 is not in TCP 9100")
    assert doc["tier_misses"][0]["line"] == 36 and doc["tier_misses"][0]["tier"] == "Admin"


def test_a_namespace_label_the_peer_lacks_and_a_rule_after_the_decider(cluster: Path) -> None:
    lines, doc = ingress(cluster, "blog/writer", "shop/web", "9100")
    reasons = [m["reason"] for m in doc["tier_misses"]]
    # too-late matches the writer on every port, but deny-rest (written before it) decided.
    assert reasons[0].startswith(
        "matches, but ClusterNetworkPolicy shop-guard (Admin, priority 10) ingress rule 2 'deny-rest'"
    )
    assert reasons[1] == "namespace blog lacks team=ops"


def test_a_baseline_accept_comes_after_networkpolicy_decided(cluster: Path) -> None:
    # The blog NetworkPolicy isolates ingress and admits nothing: the Baseline tier is never consulted.
    _, doc = ingress(cluster, "shop/web", "blog/writer", "80")
    miss = doc["tier_misses"][0]  # the closest; shop-guard's rules follow (their subject is shop)
    assert miss["rule"] == "ClusterNetworkPolicy blog-baseline (Baseline, priority 5) ingress rule 1 'from-shop'"
    assert miss["reason"] == "matches, but the flow was decided before this tier"


def test_the_subject_that_does_not_select_the_destination(cluster: Path) -> None:
    _, doc = ingress(cluster, "monitoring/prom", "blog/writer", "9100")
    reasons = {m["rule"].split(" (")[0] + " " + m["rule"].rsplit(" ", 1)[1]: m["reason"] for m in doc["tier_misses"]}
    assert reasons["ClusterNetworkPolicy shop-guard 'allow-monitoring'"] == (
        "its subject does not select blog/writer[Pod] (namespace blog lacks team=shop)"
    )
    assert reasons["ClusterNetworkPolicy blog-baseline 'from-shop'"] == "namespace monitoring lacks team=shop"


def test_an_allowed_flow_lists_no_misses(cluster: Path) -> None:
    doc = json.loads(CliRunner().invoke(cli, ["query", str(cluster), "--from", "monitoring/prom", "--to", "shop/web",
                                              "--port", "9100", "--format", "json"]).stdout)  # fmt: skip
    assert doc["allowed"] and doc["ingress"]["tier_misses"] == []
