"""NP307 counts a default deny written in another policy tier (issue 12): Cilium, Calico, and the
network-policy-api kinds, read through the one rule form."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
"""
# Cilium: "If any rule selects an endpoint and the rule has an ingress section, the endpoint goes
# into default deny mode at ingress" (https://docs.cilium.io/en/stable/security/policy/intro/).
CILIUM = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  endpointSelector: SELECTOR
  ingress: [{}]
  egress: [{}]
"""
# Calico: a policy selecting all() with no rules denies everything its types name, the end of the
# tier denying what no rule allows
# (https://docs.tigera.io/calico/latest/network-policy/get-started/kubernetes-default-deny).
CALICO = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: default-deny}
spec:
  selector: SELECTOR
  types: [Ingress, Egress]
"""
# network-policy-api: a BaselineAdminNetworkPolicy denying from and to every namespace is the
# cluster default deny (https://network-policy-api.sigs.k8s.io/api-overview/, "BaselineAdminNetworkPolicy").
BASELINE = """\
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]
EGRESS"""
BASELINE_EGRESS = "  egress: [{name: deny-all, action: Deny, to: [{namespaces: {}}]}]\n"


def np307(tmp_path: Path, text: str, *args: str) -> list[str]:
    (tmp_path / "m.yaml").write_text(NAMESPACE + text)
    result = CliRunner().invoke(cli, ["lint", "-f", "json", *args, str(tmp_path / "m.yaml")])
    data = json.loads(result.stdout)
    return [f["message"] for f in data["findings"] if f["rule"] == "NP307"]


def test_cilium_empty_endpoint_selector_is_a_default_deny(tmp_path: Path) -> None:
    assert np307(tmp_path, CILIUM.replace("SELECTOR", "{}"), "--cni", "cilium") == []
    # One application only: the namespace is still open to new pods.
    found = np307(tmp_path, CILIUM.replace("SELECTOR", "{matchLabels: {app: web}}"), "--cni", "cilium")
    assert len(found) == 1 and "Ingress and Egress" in found[0]
    # A plugin that does not enforce CiliumNetworkPolicy gives no default deny.
    assert len(np307(tmp_path, CILIUM.replace("SELECTOR", "{}"), "--cni", "calico")) == 1


def test_calico_all_selector_is_a_default_deny(tmp_path: Path) -> None:
    assert np307(tmp_path, CALICO.replace("SELECTOR", "all()"), "--cni", "calico") == []
    assert len(np307(tmp_path, CALICO.replace("SELECTOR", "app == 'web'"), "--cni", "calico")) == 1


def test_baseline_deny_from_every_namespace_is_a_default_deny(tmp_path: Path) -> None:
    assert np307(tmp_path, BASELINE.replace("EGRESS", BASELINE_EGRESS)) == []
    found = np307(tmp_path, BASELINE.replace("EGRESS", ""))
    assert len(found) == 1 and "for Egress;" in found[0]
