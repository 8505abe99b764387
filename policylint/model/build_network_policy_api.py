"""The network-policy-api dialect: ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy /
BaselineAdminNetworkPolicy (v1alpha1) compiled into two first-match tiers.

- Admin (rank ADMIN_RANK): before NetworkPolicy. Baseline (BASELINE_RANK): after it.
- Each tier is FIRST_MATCH with no default action: a policy that selects a pod but whose rules
  match nothing leaves the decision to the next tier (no implicit isolation).
- Policies by priority ascending, ties by name (upstream leaves equal priorities with
  overlapping subjects undefined; NP701 reports them). Both API versions share the tiers, as
  an implementation serving both must evaluate them together.
- The v1alpha1 BaselineAdminNetworkPolicy has no priority; it is ordered after every Baseline
  ClusterNetworkPolicy (a cluster migrating from one to the other has no upstream answer).
Objects are validated against their CRD schema here too, so an invalid object is dropped
whatever the load options (its NP002 problems are reported once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from policylint.load.fields import Reader, Skip
from policylint.load.kinds import DIALECT_KINDS
from policylint.load.located_yaml import LMap
from policylint.model.build_admin_network_policy import admin_network_policy, baseline_admin_network_policy
from policylint.model.build_cluster_network_policy import cluster_network_policy
from policylint.model.build_meta import metadata
from policylint.model.rule_form import ADMIN_RANK, BASELINE_RANK, Combine, Tier, TierPolicy
from policylint.model.workload import Namespace

GROUP = "policy.networking.k8s.io"
KINDS = {v: kinds for v, kinds in DIALECT_KINDS.items() if v.startswith(f"{GROUP}/")}
_BUILDERS: dict[str, Callable[[Reader, LMap, str], TierPolicy | None]] = {
    "AdminNetworkPolicy": admin_network_policy,
    "BaselineAdminNetworkPolicy": baseline_admin_network_policy,
    "ClusterNetworkPolicy": cluster_network_policy,
}
_RANKS = {"Admin": ADMIN_RANK, "Baseline": BASELINE_RANK}


def network_policy_api_tiers(
    r: Reader, objects: Sequence[LMap], default_namespace: str, namespaces: Sequence[Namespace]
) -> list[Tier]:
    from policylint.load.validate import validate  # jsonschema only when such objects are read

    by_tier: dict[str, list[TierPolicy]] = {"Admin": [], "Baseline": []}
    for obj in objects:
        kind = str(obj.get("kind"))
        if kind not in KINDS.get(str(obj.get("apiVersion")), frozenset()):
            continue
        problems = validate([obj])
        if problems:
            r.problems.extend(problems)
            continue
        try:
            policy = _BUILDERS[kind](r, obj, metadata(r, obj, kind, default_namespace).name)
        except Skip:
            continue
        if policy is not None:
            by_tier[policy.origin.tier].append(policy)
    return [
        Tier(name, Combine.FIRST_MATCH, _RANKS[name], tuple(sorted(policies, key=lambda p: p.order)))
        for name, policies in by_tier.items()
        if policies
    ]
