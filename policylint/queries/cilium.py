"""Facts about Cilium policies in the rule form, shared by the NP74x rules.

Selection here is set membership over the workloads in the input (engine/selectors.py), the same
reading the engine gives PodScope; it never decides a verdict.
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.connset import ALL, NONE, ConnSet
from policylint.engine.ports import rule_ports
from policylint.engine.selectors import matches
from policylint.model.build_cilium import CCNP, CNP
from policylint.model.cluster import Cluster
from policylint.model.rule_form import FormRule, Match, PodScope, TierPolicy
from policylint.model.workload import Workload

KINDS = (CNP, CCNP)


def cilium_policies(cluster: Cluster) -> Iterator[TierPolicy]:
    for tier in cluster.tiers:
        for policy in tier.policies:
            if policy.origin.kind in KINDS:
                yield policy


def scope_members(cluster: Cluster, scope: PodScope) -> frozenset[int]:
    """Indices of the workloads in `scope`."""
    out = set()
    for i, w in enumerate(cluster.workloads):
        if scope.namespace is not None and w.namespace != scope.namespace:
            continue
        ns = cluster.namespace_index.get(w.namespace)
        ns_labels = ns.labels if ns is not None else {}
        if scope.namespace_selector is not None and not matches(scope.namespace_selector, ns_labels):
            continue
        if matches(scope.pods, w.labels):
            out.add(i)
    return frozenset(out)


def subject_members(cluster: Cluster, policy: TierPolicy) -> frozenset[int]:
    out: frozenset[int] = frozenset()
    for s in policy.subject:
        out |= scope_members(cluster, s)
    return out


def peer_members(cluster: Cluster, m: Match) -> frozenset[int]:
    """Workloads a Match admits (pod criteria only)."""
    if m.unresolved or m.external_only:
        return frozenset()
    if m.pods is None:
        return frozenset(range(len(cluster.workloads)))
    return scope_members(cluster, m.pods)


def is_world(m: Match) -> bool:
    """Every address outside the cluster (`world`) or everything (`all`)."""
    return not m.unresolved and m.pods is None and m.networks is None and not m.pods_only


def rule_text(rule: FormRule) -> str:
    o = rule.origin
    index = f" rule {o.rule_index + 1}" if o.rule_index is not None else ""
    return f"{o.kind} {o.ref} {o.section}{index}"


def rule_conns(rule: FormRule, destination: Workload | None) -> ConnSet:
    """The ports a rule form rule matches at `destination` (None: every port; (): none)."""
    if rule.ports is None:
        return ALL
    if not rule.ports:
        return NONE
    return rule_ports(rule.ports).for_destination(destination)
