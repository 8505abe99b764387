"""Closest misses among the rules of dialect tiers, for a side that ends up blocked.

The tier counterpart of the NetworkPolicy misses in queries/explain.py: for each Allow rule of a
tier policy, how near it came to admitting the flow (its subject, its peers, its ports, or an
earlier rule of its tier that decided first), closest first, so that `query` can say "Admin
ingress rule 2 'allow-monitoring' of ClusterNetworkPolicy x would match but TCP 9090 is not in
TCP 9100".
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Endpoint
from policylint.engine.form_index import CompiledForm
from policylint.engine.selectors import unmet
from policylint.engine.tiers import Layers
from policylint.findings import Span
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, Combine, Match, Origin, PodScope, Tier, TierPolicy
from policylint.model.workload import Workload

# Dialect tiers that hold NetworkPolicy v1 compile it into rules of kind NetworkPolicy; those
# misses are already explained NetworkPolicy's way.
_NATIVE = "NetworkPolicy"


@dataclass(frozen=True, slots=True)
class TierMiss:
    tier: str
    rule: str  # "ClusterNetworkPolicy x (Admin, priority 10) ingress rule 2 'allow-monitoring'"
    span: Span
    text: str  # why it did not admit the flow


def _scope_miss(ev: Evaluator, scope: PodScope, w: Workload) -> list[str]:
    reasons: list[str] = []
    if scope.namespace is not None and w.namespace != scope.namespace:
        reasons.append(f"it names namespace {scope.namespace}, not {w.namespace}")
    elif scope.namespace_selector is not None:
        ns = ev.cluster.namespace_index.get(w.namespace)
        missing = unmet(scope.namespace_selector, ns.labels if ns is not None else {})
        if missing:
            reasons.append(f"namespace {w.namespace} lacks {', '.join(missing)}")
    missing = unmet(scope.pods, w.labels)
    if missing:
        reasons.append(f"{w.ref} lacks {', '.join(missing)}")
    return reasons


def _match_miss(ev: Evaluator, m: Match, other: Endpoint) -> tuple[int, str]:
    """(distance, reason) for one peer alternative that does not match `other`."""
    if m.unresolved:
        return 3, f"it names {', '.join(m.unresolved)}, which cannot be resolved offline"
    if not isinstance(other, int):
        if m.pods is not None or m.pods_only:
            return 3, "its peer names pods, and an ingress peer never matches addresses outside the cluster"
        blocks = ", ".join(b.cidr for b in m.networks or ())
        return 1, f"{other} is not in {blocks}" if blocks else f"{other} is not matched"
    w = ev.workloads[other]
    if w.host_network and not ev.assumptions.host_network_selectable:
        return 3, f"{w.ref} uses hostNetwork, which pod and namespace peers do not match"
    if m.pods is None:
        blocks = ", ".join(b.cidr for b in m.networks or ())
        return 3, f"networks {blocks} match pods only when the block is a whole address family (no pod IPs offline)"
    reasons = _scope_miss(ev, m.pods, w)
    return len(reasons), "; ".join(reasons) or "matches"


def describe_rule(o: Origin) -> str:
    where = ", ".join([o.tier] + ([f"priority {o.priority:g}"] if o.priority is not None else []))
    index = f" rule {o.rule_index + 1}" if o.rule_index is not None else " rule"
    name = f" {o.rule_name!r}" if o.rule_name else ""
    return f"{o.kind} {o.ref} ({where}) {o.section}{index}{name}"


def _first_decider(
    layers: Layers,
    policies: list[TierPolicy],
    endpoint: int,
    other: Endpoint,
    direction: Direction,
    dst: Workload | None,
    want: ConnSet,
    before: CompiledForm,
) -> Origin | None:
    """The rule of this first-match tier that matched the flow before `before` did."""
    for p in policies:
        for c in layers.forms.rules(p):
            if c is before:
                return None
            if (c.rule.direction is direction and c.rule.action is not Action.LOG and layers.peer_in(c, other)
                    and c.conns_for(dst) & want):  # fmt: skip
                return c.rule.origin
    return None


def _rule_miss(
    ev: Evaluator,
    layers: Layers,
    tier: Tier,
    selecting: list[TierPolicy],
    c: CompiledForm,
    endpoint: int,
    other: Endpoint,
    direction: Direction,
    want: ConnSet,
) -> tuple[int, str]:
    w = ev.workloads[endpoint]
    dst = w if direction is Direction.INGRESS else ev.workload_of(other)
    unselected = c.policy not in selecting
    peer = layers.peer_in(c, other)
    ports = c.conns_for(dst)
    port_ok = bool(ports & want)
    if not unselected and peer and port_ok:
        first = _first_decider(layers, selecting, endpoint, other, direction, dst, want, c)
        if tier.combine is Combine.FIRST_MATCH and first is not None:
            return 0, f"matches, but {describe_rule(first)} ({first.span}) decided first"
        return 0, "matches, but the flow was decided before this tier"
    reasons: list[str] = []
    dist = 0
    if unselected:
        unmet_terms = min((_scope_miss(ev, s, w) for s in c.policy.subject), key=len)
        reasons.append(f"its subject does not select {w.ref} ({'; '.join(unmet_terms) or 'hostNetwork pod'})")
        dist += max(1, len(unmet_terms))
    if not peer:
        d, why = min(_match_miss(ev, m, other) for m in c.rule.peers) if c.rule.peers else (9, "no peer")
        reasons.append(why)
        dist += d
    if not port_ok:
        reasons.append(f"{want} is not in {ports}" if ports else "it admits no port of this destination")
        dist += 1
    if len(reasons) == 1 and not port_ok:
        return dist, f"would match but {reasons[0]}"
    return dist, "; ".join(reasons)


def tier_misses(
    ev: Evaluator, endpoint: Endpoint, other: Endpoint, direction: Direction, want: ConnSet | None
) -> list[TierMiss]:
    """Allow rules of dialect tiers that did not admit the flow at `endpoint`, closest first."""
    layers = ev.layers
    if layers is None or not isinstance(endpoint, int):
        return []
    wanted = want if want is not None else ConnSet.all()
    scored: list[tuple[int, int, TierMiss]] = []
    for layer in layers.layers:
        if layer is None:
            continue
        selecting = [p for p in layer.policies if layers.selects(p, endpoint)]
        for p in layer.policies:
            if direction not in p.directions and layer.combine is not Combine.UNION_MINUS_DENY:
                continue
            for c in layers.forms.rules(p):
                o = c.rule.origin
                if c.rule.direction is not direction or c.rule.action is not Action.ALLOW or o.kind == _NATIVE:
                    continue
                dist, why = _rule_miss(ev, layers, layer, selecting, c, endpoint, other, direction, wanted)
                scored.append((dist, len(scored), TierMiss(layer.name, describe_rule(o), o.span, why)))
    return [m for _, _, m in sorted(scored, key=lambda t: (t[0], t[1]))]


def side_blocked(conns: ConnSet, want: ConnSet | None) -> bool:
    return not (conns & want if want is not None else conns)
