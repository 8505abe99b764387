"""Small builders for hand-written tier cases (rule-form objects directly, no dialect)."""

from __future__ import annotations

from policylint.model import Cluster, ContainerPort, Direction, LabelSelector, Namespace, PortSpec, Workload
from policylint.model.rule_form import (
    EVERY_PEER,
    Action,
    Combine,
    FormRule,
    Match,
    Origin,
    PodScope,
    Tier,
    TierPolicy,
)
from policylint.model.selector import EVERYTHING

EGRESS, INGRESS = Direction.EGRESS, Direction.INGRESS


def ns_pods(namespace: str) -> PodScope:
    return PodScope(EVERYTHING, namespace=namespace)


def app(value: str) -> PodScope:
    return PodScope(LabelSelector((("app", value),)))


def rule(direction: Direction, action: Action, peers: tuple[Match, ...] = EVERY_PEER,
         ports: tuple[PortSpec, ...] | None = None, index: int = 0, policy: str = "p",
         tier: str = "Admin", not_ports: tuple[PortSpec, ...] = (), unmodelled: tuple[str, ...] = (),
         priority: float | None = None) -> FormRule:
    origin = Origin("ClusterNetworkPolicy", policy, tier=tier, priority=priority, rule_index=index,
                    section=direction.value.lower(), action_written=action.value)
    return FormRule(direction, action, peers, ports, origin, not_ports, unmodelled)


def policy(name: str, subject: tuple[PodScope, ...], rules: tuple[FormRule, ...], priority: float = 10,
           directions: tuple[Direction, ...] = (INGRESS, EGRESS), tier: str = "Admin") -> TierPolicy:
    origin = Origin("ClusterNetworkPolicy", name, tier=tier, priority=priority)
    return TierPolicy(subject, directions, rules, origin, (priority, name))


def tier(name: str, combine: Combine, rank: float, *policies: TierPolicy, default: Action | None = None,
         holds_network_policy: bool = False) -> Tier:
    return Tier(name, combine, rank, tuple(sorted(policies, key=lambda p: p.order)), default, holds_network_policy)


def tcp(port: int, end: int | None = None) -> PortSpec:
    return PortSpec(port, end)


def two_pods(*tiers: Tier, policies: tuple[object, ...] = ()) -> Cluster:
    """Pod x (app=x) in namespace a and pod y (app=y, port "http" = 8080) in namespace b."""
    x = Workload("a", "x", "Pod", {"app": "x"})
    y = Workload("b", "y", "Pod", {"app": "y"}, (ContainerPort(8080, name="http"),))
    return Cluster.of([Namespace("a", {"team": "a"}), Namespace("b", {"team": "b"})], [x, y],
                      policies=policies, tiers=tuple(tiers))  # type: ignore[arg-type]
