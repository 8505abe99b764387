"""ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, network-policy-api v0.2.0).

`spec.tier` Admin (evaluated before NetworkPolicy) or Baseline (after it); `spec.priority`
0-1000; actions Accept/Deny/Pass; `protocols` for ports. Upstream:
apis/v1alpha2/clusternetworkpolicy_types.go.
"""

from __future__ import annotations

from policylint.load.fields import Reader
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_tier_policy import Written, tier_policy
from policylint.model.build_tier_ports import v1alpha2_protocols
from policylint.model.policy import PortSpec
from policylint.model.rule_form import TierPolicy

CLUSTER_NETWORK_POLICY = "ClusterNetworkPolicy"


def _protocols(r: Reader, item: LMap, path: str) -> tuple[PortSpec, ...] | None:
    protocols = item.get("protocols")
    return v1alpha2_protocols(r, protocols, f"{path}.protocols") if isinstance(protocols, LSeq) else None


def cluster_network_policy(r: Reader, obj: LMap, name: str) -> TierPolicy:
    spec: LMap = obj["spec"]
    written = Written(CLUSTER_NETWORK_POLICY, name, str(spec["tier"]), float(spec["priority"]))
    return tier_policy(r, obj, written, _protocols)
