"""Why a flow is allowed or blocked on each side, down to the closest miss."""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.engine.concrete import CompiledRule, Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Endpoint
from policylint.engine.selectors import unmet
from policylint.findings import Span
from policylint.model.policy import Direction, NetworkPolicy, Peer, Protocol
from policylint.queries.explain_layers import layer_lines
from policylint.queries.tier_misses import TierMiss, side_blocked, tier_misses


@dataclass(frozen=True, slots=True)
class RuleNote:
    policy: str  # namespace/name
    rule: int  # 1-based index in its direction's list
    span: Span
    text: str


@dataclass(slots=True)
class SideExplanation:
    direction: Direction
    endpoint: str
    governed: bool  # False for external addresses and hostNetwork pods
    isolated: bool
    conns: ConnSet
    isolating: list[tuple[str, Span]] = field(default_factory=list)
    allowing: list[RuleNote] = field(default_factory=list)
    misses: list[RuleNote] = field(default_factory=list)  # closest first
    layers: list[str] = field(default_factory=list)  # clusters with tiers: what decided each part
    derived: str | None = None  # a workload not written in the input: where it comes from (Workload.derived)
    tier_misses: list[TierMiss] = field(default_factory=list)  # blocked: tier Allow rules, closest first


def _peer_miss(ev: Evaluator, policy: NetworkPolicy, peer: Peer, other: Endpoint) -> tuple[int, str]:
    """(distance, reason) for one peer that does not match `other`; smaller is closer."""
    if not isinstance(other, int):
        return (3, "its peers name pods, not external addresses")
    w = ev.workloads[other]
    if peer.ip_block is not None:
        return (3, f"ipBlock {peer.ip_block.cidr} matches external addresses, not pods")
    if w.host_network and not ev.assumptions.host_network_selectable:
        return (3, f"{w.ref} uses hostNetwork, which selectors do not match")
    reasons: list[str] = []
    if peer.namespace_selector is None:
        if w.namespace != policy.namespace:
            reasons.append(f"podSelector without namespaceSelector means namespace {policy.namespace}")
    else:
        ns_labels = ev.cluster.namespace_index[w.namespace].labels
        missing = unmet(peer.namespace_selector, ns_labels)
        if missing:
            reasons.append(f"namespace {w.namespace} lacks {', '.join(missing)}")
    if peer.pod_selector is not None:
        missing = unmet(peer.pod_selector, w.labels)
        if missing:
            reasons.append(f"{w.ref} lacks {', '.join(missing)}")
    return (len(reasons), "; ".join(reasons) or "matches")


def _rule_miss(ev: Evaluator, rule: CompiledRule, other: Endpoint, want: ConnSet | None) -> tuple[int, str]:
    peers = rule.rule.peers or ()
    peer_ok = ev.peer_in(rule, other)
    if peer_ok:
        return (0, f"the peer matches but it admits only {rule.ports.numeric or 'named ports'}"
                f"{'' if want is None else f', not {want}'}")
    if not peers:
        return (9, "")
    best = min(_peer_miss(ev, rule.policy, p, other) for p in peers)
    return best


def explain_side(
    ev: Evaluator, endpoint: Endpoint, other: Endpoint, direction: Direction, want: ConnSet | None
) -> SideExplanation:
    """Explain `direction` at `endpoint` towards `other`; `want` narrows to a port/protocol."""
    name = ev.workloads[endpoint].ref if isinstance(endpoint, int) else str(endpoint)
    if not isinstance(endpoint, int):
        return SideExplanation(direction, name, False, False, ConnSet.all())
    conns = ev.side_conns(endpoint, other, direction)
    pols = ev.isolating_policies(endpoint, direction)
    w = ev.workloads[endpoint]
    governed = not w.host_network or ev.assumptions.host_network_selectable
    exp = SideExplanation(direction, name, governed, bool(pols), conns, derived=w.derived)
    for p in pols:
        pol = ev.cluster.policies[p]
        exp.isolating.append((pol.ref, pol.span))
    dst = ev.workloads[endpoint] if direction is Direction.INGRESS else ev.workload_of(other)
    scored: list[tuple[int, RuleNote]] = []
    for rule in ev.rules_for(endpoint, direction):
        admitted = rule.ports.for_destination(dst)
        note_base = (rule.policy.ref, rule.rule.index + 1, rule.rule.span)
        if ev.peer_in(rule, other) and (admitted & want if want is not None else admitted):
            exp.allowing.append(RuleNote(*note_base, f"admits {admitted if want is None else admitted & want}"))
        else:
            dist, why = _rule_miss(ev, rule, other, want)
            if why:
                scored.append((dist, RuleNote(*note_base, why)))
    exp.misses = [n for _, n in sorted(scored, key=lambda t: (t[0], t[1].policy, t[1].rule))]
    exp.layers = layer_lines(ev, endpoint, other, direction, want)
    if exp.layers and side_blocked(conns, want):
        exp.tier_misses = tier_misses(ev, endpoint, other, direction, want)
    return exp


def want_of(port: int | None, protocol: Protocol | None) -> ConnSet | None:
    if port is None and protocol is None:
        return None
    if port is None:
        assert protocol is not None
        return ConnSet.single(protocol, 1, 65535)
    return ConnSet.single(protocol or Protocol.TCP, port)
