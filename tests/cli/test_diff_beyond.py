"""Issue 12 point 12: `diff` says what it could not see, and catches a rule opened to every
namespace when the input holds a single one (the exposure is to pods that could exist anywhere)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

DB = """apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from: [PEER]
    ports: [{port: 5432}]
"""
SAME_NAMESPACE = "{podSelector: {}}"


def run(tmp_path: Path, base: str, head: str, *args: str) -> tuple[int, str, str]:
    for side, text in (("base", base), ("head", head)):
        (tmp_path / side).mkdir(exist_ok=True)
        (tmp_path / side / "m.yaml").write_text(text)
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(cli, ["diff", "base", "head", *args])
    return result.exit_code, result.stdout, result.stderr


def test_every_namespace_opened_in_a_single_namespace_input_is_a_new_exposure(tmp_path: Path) -> None:
    # `namespaceSelector: {}` selects all namespaces (NetworkPolicyPeer, API reference: "If
    # namespaceSelector is ... empty, it selects all namespaces"). The input has one namespace,
    # so no pair of it changes, but a pod in any other namespace of the cluster now reaches db.
    base, head = DB.replace("PEER", SAME_NAMESPACE), DB.replace("PEER", "{namespaceSelector: {}}")
    code, out, _ = run(tmp_path, base, head, "--fail-on", "new-exposure")
    assert code == 1
    assert out.startswith("0 connections added, 0 removed; 1 workload newly reachable from pods outside the input")
    assert "shop/db[Deployment] is newly reachable from pods of other namespaces that the input does not hold" in out
    assert "on TCP 5432" in out
    data = json.loads(run(tmp_path, base, head, "-f", "json")[1])
    assert data["summary"]["possible_exposures"] == 1
    assert data["possible_exposures"][0]["workload"]["name"] == "db"


def test_a_rewrite_admitting_the_same_pods_is_not_an_exposure(tmp_path: Path) -> None:
    # The policy's own namespace by name is what a bare podSelector means ("selects Pods in the
    # same namespace as the NetworkPolicy", NetworkPolicyPeer): z3 proves no new source exists.
    own = "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}"
    base, head = DB.replace("PEER", SAME_NAMESPACE), DB.replace("PEER", own)
    code, out, err = run(tmp_path, base, head, "--fail-on", "new-exposure")
    assert (code, out, err) == (0, "No connectivity change.\n", "")


def test_without_z3_the_unchecked_exposure_is_said(tmp_path: Path) -> None:
    base, head = DB.replace("PEER", SAME_NAMESPACE), DB.replace("PEER", "{namespaceSelector: {}}")
    code, out, err = run(tmp_path, base, head, "--no-smt", "--fail-on", "new-exposure")
    assert code == 0
    assert out == "No connectivity change (1 note on what it could not see).\n"
    assert "not checked for new exposure to pods outside the input (z3 is off: --no-smt)" in err


GHOST = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ghost, namespace: shop}
spec:
  podSelector: {matchLabels: {app: ghost}}
  policyTypes: [TYPES]
"""


def test_a_policy_change_that_selects_no_workload_is_said(tmp_path: Path) -> None:
    base = DB.replace("PEER", SAME_NAMESPACE) + GHOST.replace("TYPES", "Ingress")
    head = DB.replace("PEER", SAME_NAMESPACE) + GHOST.replace("TYPES", "Egress")
    code, out, err = run(tmp_path, base, head)
    assert code == 0
    assert out == "No connectivity change (1 note on what it could not see).\n"
    assert err == (
        "HEAD head/m.yaml:20:1: policy shop/ghost changed but selects no workload in the input; "
        "its effect on pods outside the input is not in this diff\n"
    )
    # Only its lines moved: not a change.
    moved = DB.replace("PEER", SAME_NAMESPACE) + "\n\n" + GHOST.replace("TYPES", "Ingress")
    assert run(tmp_path, base, moved)[1:] == ("No connectivity change.\n", "")


def test_objects_base_could_not_read_are_said_everywhere(tmp_path: Path) -> None:
    # extensions/v1beta1 Deployments are no longer served since Kubernetes 1.16
    # (https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-16): BASE skips the object,
    # so the workload shows as added; the diff must say why.
    head = DB.replace("PEER", SAME_NAMESPACE)
    base = head.replace("apiVersion: apps/v1", "apiVersion: extensions/v1beta1")
    code, out, err = run(tmp_path, base, head)
    assert code == 0
    headline = "0 connections added, 0 removed; 1 workload added; 1 note on what it could not see (1 on BASE)\n"
    assert out.startswith(headline)
    assert err.startswith("BASE head/m.yaml:1:13: NP003 Deployment apiVersion 'extensions/v1beta1' is not supported")
    md = run(tmp_path, base, head, "-f", "md")[1]
    assert "> [!NOTE]\n> What this diff could not see (1):\n> - BASE head/m.yaml:1:13: NP003 Deployment" in md
    data = json.loads(run(tmp_path, base, head, "-f", "json")[1])
    assert data["summary"]["unseen"] == 1 and "NP003" in data["unseen"][0]


def test_focus_keeps_the_exposure_only_for_the_workload_in_focus(tmp_path: Path) -> None:
    base, head = DB.replace("PEER", SAME_NAMESPACE), DB.replace("PEER", "{namespaceSelector: {}}")
    code, out, _ = run(tmp_path, base, head, "--fail-on", "new-exposure", "--to", "shop/db")
    assert code == 1 and "shop/db[Deployment] is newly reachable from pods of other namespaces" in out
    code, out, _ = run(tmp_path, base, head, "--fail-on", "new-exposure", "--to", "shop/other")
    assert (code, out) == (0, "No connectivity change.\n")


CILIUM_GHOST = """---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ghost, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: SUBJECT}}
  ingress: [{fromEndpoints: [{matchLabels: {app: PEER}}]}]
"""
CALICO_GLOBAL = """---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: batch}
spec:
  selector: app == 'SUBJECT'
  types: [Ingress]
  ingress: [{action: Allow, source: {selector: app == 'PEER'}}]
"""


def test_tier_policies_changed_that_select_no_workload_are_noted(tmp_path: Path) -> None:
    # Subjects as the dialects define them: Cilium endpointSelector
    # (https://docs.cilium.io/en/stable/security/policy/language/), Calico `selector`
    # (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy).
    base = DB.replace("PEER", SAME_NAMESPACE)
    for extra, said in ((CILIUM_GHOST, "CiliumNetworkPolicy shop/ghost (Cilium tier) changed"),
                        (CALICO_GLOBAL, "GlobalNetworkPolicy batch (default tier) changed")):  # fmt: skip
        old, new = extra.replace("SUBJECT", "ghost").replace("PEER", "a"), extra.replace("SUBJECT", "ghost")
        _, _, err = run(tmp_path, base + old, base + new.replace("PEER", "b"), "--cni", "calico" if "calico" in extra
                        else "cilium")  # fmt: skip
        assert f"{said} but selects no workload in the input" in err, err
        # The same edit of a policy whose subject is db is in the connectivity diff: no note.
        old, new = extra.replace("SUBJECT", "db").replace("PEER", "a"), extra.replace("SUBJECT", "db")
        _, _, err = run(tmp_path, base + old, base + new.replace("PEER", "b"), "--cni", "calico" if "calico" in extra
                        else "cilium")  # fmt: skip
        assert "selects no workload" not in err, err
