"""The `cni:` profile decides whether the Cilium kinds are enforced (policylint/cni/profiles.json)."""

from __future__ import annotations

from cilium_cases import cluster

from policylint.cni import enforced, profile
from policylint.load.kinds import DIALECT_KINDS

CNP_AND_NP = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingressDeny: [{fromEntities: [world]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec: {podSelector: {}}
"""


def _kinds(cni: str) -> tuple[list[str], int, bool]:
    c = enforced(cluster(CNP_AND_NP).cluster, profile(cni), DIALECT_KINDS)  # as policylint/enforced.py
    kinds = sorted({p.origin.kind for t in c.tiers for p in t.policies})
    return kinds, len(c.policies), any(t.holds_network_policy for t in c.tiers)


# docs.cilium.io network/kubernetes/policy: Cilium enforces NetworkPolicy and its own CRDs, in one union.
def test_cilium_profile_enforces_cilium_and_network_policy_in_one_tier() -> None:
    assert _kinds("cilium") == (["CiliumNetworkPolicy", "NetworkPolicy"], 1, True)
    assert _kinds("generic") == (["CiliumNetworkPolicy", "NetworkPolicy"], 1, True)  # kinds present: enforced


# Another plugin ignores cilium.io/v2: NetworkPolicy goes back to the native layer.
def test_other_plugins_ignore_the_cilium_kinds() -> None:
    assert _kinds("calico") == ([], 1, False)
