"""Facts about first-match tier rules that hold for every possible pod, for the tier lint rules.

`covers_*` answer "is everything B matches also matched by A?" from the written form only, so a
yes holds for every pod, namespace and address (not only those of the input); a no means
"not shown", never "B matches more". Concrete membership (`scope_members`) is over the input.
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.selectors import matches
from policylint.model.cluster import Cluster
from policylint.model.policy import IPBlock, PortSpec
from policylint.model.rule_form import FormRule, Match, PodScope, Tier, TierPolicy


def tier_policies(cluster: Cluster) -> Iterator[tuple[Tier, TierPolicy]]:
    for tier in cluster.tiers:
        for policy in tier.policies:
            yield tier, policy


def scope_members(cluster: Cluster, scope: PodScope, host_network_selectable: bool) -> frozenset[int]:
    """Indices of the input's workloads in `scope` (host-network pods only when selectable)."""
    out: set[int] = set()
    for i, w in enumerate(cluster.workloads):
        if w.host_network and not host_network_selectable:
            continue
        if scope.namespace is not None and w.namespace != scope.namespace:
            continue
        ns = cluster.namespace_index.get(w.namespace)
        if scope.namespace_selector is not None and (ns is None or not matches(scope.namespace_selector, ns.labels)):
            continue
        if matches(scope.pods, w.labels):
            out.add(i)
    return frozenset(out)


def every_pod(scope: PodScope) -> bool:
    return scope.pods.is_empty and scope.namespace is None and scope.namespace_selector is None


def covers_scope(a: PodScope, b: PodScope) -> bool:
    """Every pod of `b` is in `a`: `a` is wider or equal in both the namespace and the pod part."""
    ns_ok = (a.namespace is None and a.namespace_selector is None) or (
        a.namespace == b.namespace
        and (a.namespace_selector is None or (b.namespace_selector is not None
                                              and a.namespace_selector.key() == b.namespace_selector.key()))
    )  # fmt: skip
    return ns_ok and (a.pods.is_empty or a.pods.key() == b.pods.key())


def _block_in(b: IPBlock, a: IPBlock) -> bool:
    if a.except_ or b.network is None or a.network is None or a.network.version != b.network.version:
        return False
    return b.network.subnet_of(a.network)  # type: ignore[arg-type]


def _whole_families(m: Match) -> bool:
    nets = [b.network for b in m.networks or () if b.network is not None and not b.except_]
    return m.networks_match_pods and {n.version for n in nets if n.prefixlen == 0} == {4, 6}


def covers_match(a: Match, b: Match) -> bool:
    """Every peer of `b` matches `a` (only the criteria the network-policy-api kinds use)."""
    if b.unresolved or a.unresolved or a.not_pods or a.not_networks or a.external_only or a.pods_only:
        return False
    if a == Match():
        return True
    if _whole_families(a):
        return True  # both address families whole, pods included: every peer
    if a.pods is not None and b.pods is not None and a.networks is None and b.networks is None:
        return covers_scope(a.pods, b.pods)
    if a.networks is not None and b.networks is not None and a.pods is None and b.pods is None:
        return all(any(_block_in(bb, ab) for ab in a.networks) for bb in b.networks)
    return False


def covers_port(a: tuple[PortSpec, ...] | None, b: PortSpec) -> bool:
    if a is None:
        return True
    for p in a:
        if p.protocol is not b.protocol:
            continue
        if p.port is None or p.port == b.port and p.end_port == b.end_port:
            return True
        if isinstance(p.port, int) and isinstance(b.port, int):
            a_end, b_end = p.end_port or p.port, b.end_port or b.port
            if p.port <= b.port and b_end <= a_end:
                return True
    return False


def covers_piece(a: FormRule, peer: Match, port: PortSpec | None) -> bool:
    """Rule `a` matches every connection of (peer, port); port None: every port."""
    if not any(covers_match(m, peer) for m in a.peers):
        return False
    return a.ports is None if port is None else covers_port(a.ports, port)


def describe(rule: FormRule) -> str:
    """"egress rule 2 (Deny) of ClusterNetworkPolicy x (Admin, priority 10)", as users wrote it."""
    o = rule.origin
    index = "" if o.rule_index is None else f" {o.rule_index + 1}"
    return f"{o.section} rule{index} ({o.action_written}) of {describe_policy(o.kind, o.name, o.tier, o.priority)}"


def describe_policy(kind: str, name: str, tier: str, priority: float | None) -> str:
    shown = "" if priority is None else f", priority {priority:g}"
    return f"{kind} {name} ({tier}{shown})"
