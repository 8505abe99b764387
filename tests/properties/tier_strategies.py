"""Hypothesis strategies for rule-form tiers of every Combine kind, built directly (no dialect)."""

from __future__ import annotations

from hypothesis import strategies as st
from strategies import NAMESPACES, clusters, ip_blocks, port_specs, selectors

from policylint.model import Cluster, Direction
from policylint.model.compile_network_policy import network_policy_tier_policies
from policylint.model.rule_form import (
    ADMIN_RANK,
    BASELINE_RANK,
    EVERY_PEER,
    NETWORK_POLICY_RANK,
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

RANKS = (50.0, ADMIN_RANK, NETWORK_POLICY_RANK, BASELINE_RANK)


@st.composite
def pod_scopes(draw: st.DrawFn) -> PodScope:
    where = draw(st.sampled_from(("all", "all", "any", "name", "selector")))
    if where == "all":  # often everything, so tiers overlap and later tiers get to decide
        return PodScope(EVERYTHING)
    if where == "name":
        return PodScope(draw(selectors()), namespace=draw(st.sampled_from((*NAMESPACES, "ghost"))))
    if where == "selector":
        return PodScope(draw(selectors()), namespace_selector=draw(selectors(with_names=True)))
    return PodScope(draw(selectors()))


def _maybe(strategy: st.SearchStrategy[object], p_none: int = 2) -> st.SearchStrategy[object]:
    return st.one_of(*([st.none()] * p_none), strategy)


@st.composite
def matches(draw: st.DrawFn) -> Match:
    blocks = st.lists(ip_blocks(), min_size=1, max_size=2).map(tuple)
    return Match(
        pods=draw(_maybe(pod_scopes())),  # type: ignore[arg-type]
        not_pods=draw(_maybe(pod_scopes(), 6)),  # type: ignore[arg-type]
        networks=draw(_maybe(blocks, 3)),  # type: ignore[arg-type]
        not_networks=draw(_maybe(blocks, 6)),  # type: ignore[arg-type]
        networks_match_pods=draw(st.booleans()),
        external_only=draw(st.integers(0, 6)) == 0,
        pods_only=draw(st.integers(0, 6)) == 0,
        unresolved=("dns: example.com",) if draw(st.integers(0, 9)) == 0 else (),
    )


@st.composite
def form_rules(draw: st.DrawFn, policy: str, index: int, actions: tuple[Action, ...]) -> FormRule:
    direction = draw(st.sampled_from(tuple(Direction)))
    action = draw(st.sampled_from(actions))
    peers = draw(st.one_of(st.just(EVERY_PEER), st.just(EVERY_PEER), st.lists(matches(), max_size=2).map(tuple)))
    ports = draw(st.one_of(st.none(), st.none(), st.lists(port_specs(), max_size=2).map(tuple)))
    not_ports = tuple(draw(st.lists(port_specs(), max_size=1))) if draw(st.integers(0, 3)) == 0 else ()
    origin = Origin("Generated", policy, rule_index=index, section=direction.value.lower())
    return FormRule(direction, action, peers, ports, origin, not_ports)


@st.composite
def tier_policies(draw: st.DrawFn, name: str, actions: tuple[Action, ...]) -> TierPolicy:
    subject = tuple(draw(st.lists(pod_scopes(), min_size=1, max_size=2)))
    both = (Direction.INGRESS, Direction.EGRESS)
    directions = draw(st.sampled_from((both, both, both, (Direction.INGRESS,), (Direction.EGRESS,), ())))
    n = draw(st.integers(1, 3))
    rules = tuple(draw(form_rules(name, i, actions)) for i in range(n))
    order = float(draw(st.integers(0, 3)))
    return TierPolicy(subject, directions, rules, Origin("Generated", name, priority=order), (order, name))


ACTIONS = {
    Combine.FIRST_MATCH: (Action.ALLOW, Action.DENY, Action.PASS, Action.PASS, Action.LOG),  # Pass needs chances
    Combine.ISOLATION_UNION: (Action.ALLOW,),
    Combine.UNION_MINUS_DENY: (Action.ALLOW, Action.DENY),
}


@st.composite
def tiers(draw: st.DrawFn, name: str, cluster: Cluster, may_hold: bool) -> Tier:
    combine = draw(st.sampled_from(tuple(Combine)))
    pols = [draw(tier_policies(f"{name}-p{i}", ACTIONS[combine])) for i in range(draw(st.integers(1, 3)))]
    holds = may_hold and draw(st.booleans())
    if holds:  # this tier enforces the cluster's NetworkPolicies among its own policies
        pols += network_policy_tier_policies(cluster.policies, name, float(draw(st.integers(0, 3))))
    defaults = (None, Action.ALLOW, Action.DENY, Action.DENY)
    default = draw(st.sampled_from(defaults)) if combine is Combine.FIRST_MATCH else None
    pols.sort(key=lambda p: p.order)
    return Tier(name, combine, draw(st.sampled_from(RANKS)), tuple(pols), default, holds)


@st.composite
def tiered_clusters(draw: st.DrawFn) -> Cluster:
    base = draw(clusters())
    n = draw(st.integers(2, 3))
    made = [draw(tiers(f"t{i}", base, may_hold=i == 0)) for i in range(n)]
    return Cluster.of(base.namespaces, base.workloads, (), base.policies, tuple(made))
