"""Canonical forms of selectors, rules and policies: two objects with the same form allow exactly
the same traffic, so a duplicate is decided before (and without) any solver call. Order, spans and
the way "all" is written (absent or empty) do not count.
"""

from __future__ import annotations

from collections.abc import Hashable

from policylint.model import Direction, IPBlock, LabelSelector, NetworkPolicy, Peer, PortSpec, Rule


def selector_form(s: LabelSelector | None) -> Hashable:
    if s is None:
        return None
    labels = tuple(sorted(set(s.match_labels)))
    exprs = tuple(sorted({(r.key, r.operator.value, tuple(sorted(set(r.values)))) for r in s.match_expressions}))
    return labels, exprs


def _block_form(b: IPBlock | None) -> Hashable:
    if b is None:
        return None
    if b.network is None or any(e is None for e in b.except_networks):
        return ("invalid", b.cidr, b.except_)  # compared as written
    return b.network, tuple(sorted({str(e) for e in b.except_networks}))


def _peer_form(p: Peer) -> Hashable:
    return selector_form(p.pod_selector), selector_form(p.namespace_selector), _block_form(p.ip_block)


def _port_form(s: PortSpec) -> Hashable:
    return s.port, s.end_port, s.protocol.value


def rule_form(r: Rule) -> Hashable:
    """Peers and ports as sets; None stands for "all" however it was written."""
    peers = None if r.all_peers else tuple(sorted({_peer_form(p) for p in r.peers or ()}, key=repr))
    ports = None if r.all_ports else tuple(sorted({_port_form(s) for s in r.ports or ()}, key=repr))
    return r.direction.value, peers, ports


def admits_everything(r: Rule) -> bool:
    return r.all_peers and r.all_ports


def policy_form(p: NetworkPolicy) -> Hashable:
    """Namespace, selection, isolated directions and the rules in effect (as a set)."""
    rules = tuple(tuple(sorted({rule_form(r) for r in p.rules(d)}, key=repr)) for d in Direction)
    return p.namespace, selector_form(p.pod_selector), tuple(d.value for d in p.policy_types), rules


def covers_structurally(subject: tuple[NetworkPolicy, Rule], other: tuple[NetworkPolicy, Rule]) -> bool:
    """`other` (a rule in effect) admits, for pods its policy selects, everything `subject` admits
    for pods its policy selects, by form alone: same namespace, a selection that is the same or
    the whole namespace, and the same rule or one admitting everything."""
    (sp, sr), (op, orule) = subject, other
    if sp.namespace != op.namespace or sr.direction is not orule.direction:
        return False
    if not any(r is orule for r in op.rules(orule.direction)):
        return False
    if not op.pod_selector.is_empty and selector_form(op.pod_selector) != selector_form(sp.pod_selector):
        return False
    return admits_everything(orule) or rule_form(orule) == rule_form(sr)
