"""Staged policies (Calico Staged* kinds) never enforce: they are kept out of the tiers the
engines evaluate unless the user asks what they would change (`--with-staged`).

Source: docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy ("A staged
network policy ... does not enforce"; `stagedAction: Set` previews the policy as enforced).
"""

from __future__ import annotations

from dataclasses import replace

from policylint.model.cluster import Cluster
from policylint.model.rule_form import TierPolicy

STAGED_PREFIX = "Staged"


def is_staged(policy: TierPolicy) -> bool:
    return policy.origin.kind.startswith(STAGED_PREFIX)


def without_staged(cluster: Cluster) -> Cluster:
    """The tiers as enforced today."""
    if not any(is_staged(p) for t in cluster.tiers for p in t.policies):
        return cluster
    tiers = tuple(replace(t, policies=tuple(p for p in t.policies if not is_staged(p))) for t in cluster.tiers)
    return replace(cluster, tiers=tiers)


def staged_policies(cluster: Cluster) -> list[TierPolicy]:
    return [p for t in cluster.tiers for p in t.policies if is_staged(p)]
