"""Calico rules (projectcalico.org/v3 Rule and EntityRule) compiled into FormRules.

Semantics: docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule and #entityrule.
An entity rule ANDs every criterion it sets; with neither a selector nor nets it matches every
address, and `notSelector` alone excludes endpoints (and network-set addresses) it matches while
still matching external addresses. The peer is the source of an ingress rule and the
destination of an egress rule; ports are always the destination's. What the model cannot check
offline (service accounts, services, HTTP, ICMP, source ports, the local side's own selector)
is kept in FormRule.unmodelled so every answer that depends on it says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policylint.load.fields import Reader, Skip, shown
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_calico_scope import (
    NetSet,
    in_namespace,
    matched_sets,
    namespace_selector,
    pod_scopes,
    service_account_node,
)
from policylint.model.build_policy import parse_cidr
from policylint.model.calico_selector import ALL, And, Node, Not, SelectorError, parse
from policylint.model.policy import Direction, IPBlock, PortSpec, Protocol
from policylint.model.rule_form import Action, FormRule, Match, Origin
from policylint.model.workload import Namespace

_PROTOCOLS = {"TCP": Protocol.TCP, "UDP": Protocol.UDP, "SCTP": Protocol.SCTP, 6: Protocol.TCP, 17: Protocol.UDP,
              132: Protocol.SCTP}  # fmt: skip
_ACTIONS = {a.value: a for a in Action}


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule's selectors need: the policy's namespace (None: global) and the network sets."""

    namespace: str | None
    sets: Sequence[NetSet]
    namespaces: dict[str, Namespace]


def selector_text(r: Reader, obj: LMap, key: str, path: str) -> Node | None:
    """A selector field parsed; a selector Calico rejects is reported and skips the object."""
    text = r.field(obj, key, str, path)
    if text is None:
        return None
    try:
        return parse(text)
    except SelectorError as error:
        r.bad(obj.value_span(key), f"{path}.{key}", f"{text!r} is not a valid Calico selector: {error}")
        raise Skip from None


def form_rule(r: Reader, ctx: RuleContext, rule: LMap, direction: Direction, index: int, origin: Origin) -> FormRule:
    section = direction.value.lower()
    path = f"spec.{section}[{index}]"
    written = r.field(rule, "action", str, path)
    action = _ACTIONS.get(str(written))
    if action is None:  # the API server rejects it; the policy is skipped rather than guessed at
        r.bad(rule.value_span("action") if "action" in rule else rule.span, f"{path}.action",
              f"{shown(written)} is not Allow, Deny, Pass or Log; policy skipped")  # fmt: skip
        raise Skip
    peer_key, local_key = ("source", "destination") if direction is Direction.INGRESS else ("destination", "source")
    peer: LMap = r.field(rule, peer_key, LMap, path) or LMap()
    local: LMap = r.field(rule, local_key, LMap, path) or LMap()
    dest = peer if direction is Direction.EGRESS else local
    notes = _unmodelled(rule, peer, local, local_key, r.field(rule, "source", LMap, path) or LMap())
    notes += service_account_notes(r, peer, f"{path}.{peer_key}")
    protocols, proto_note = _protocols(r, rule, path)
    notes += proto_note
    matches = entity(r, ctx, peer, f"{path}.{peer_key}") if protocols != () else ()
    ports = _ports(r, dest, "ports", protocols, f"{path}.destination")
    not_ports = (_ports(r, dest, "notPorts", protocols, f"{path}.destination") or ()) if "notPorts" in dest else ()
    here = Origin(origin.kind, origin.name, origin.namespace, rule.span, origin.tier, origin.priority, index,
                  section, action.value)  # fmt: skip
    return FormRule(direction, action, matches, ports, here, not_ports, tuple(notes))


def _unmodelled(rule: LMap, peer: LMap, local: LMap, local_key: str, source: LMap) -> list[str]:
    notes = [f"{what} match" for key, what in (("http", "HTTP"), ("ipVersion", "ipVersion")) if key in rule]
    notes += ["services in the peer"] if "services" in peer else []
    notes += [f"{local_key}.{k} (the policy's own endpoint)" for k in local if k not in ("ports", "notPorts")]
    notes += ["source ports"] if "ports" in source or "notPorts" in source else []
    return notes


def _protocol(value: object) -> Protocol | None:
    """A protocol name or number; a value of another type (a list: schema-invalid) is none of them."""
    if isinstance(value, str):
        return _PROTOCOLS.get(value.upper())
    return _PROTOCOLS.get(value) if isinstance(value, int) else None


def _protocols(r: Reader, rule: LMap, path: str) -> tuple[tuple[Protocol, ...] | None, list[str]]:
    """The modelled protocols the rule matches (None: all), and what is outside the model."""
    wanted = rule.get("protocol")
    if wanted is not None:
        proto = _protocol(wanted)
        if proto is None:  # ICMP and friends: never a TCP/UDP/SCTP flow
            return (), [f"protocol {shown(wanted)}"]
        protos: tuple[Protocol, ...] = (proto,)
    else:
        protos = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)
    unwanted = rule.get("notProtocol")
    if unwanted is not None:
        drop = _protocol(unwanted)
        protos = tuple(p for p in protos if p is not drop)
        if drop is None:
            return protos, [f"notProtocol {shown(unwanted)} (traffic of other protocols outside the model)"]
    return (None if wanted is None and unwanted is None else protos), []


def _ports(r: Reader, ent: LMap, key: str, protocols: tuple[Protocol, ...] | None,
           path: str) -> tuple[PortSpec, ...] | None:  # fmt: skip
    """Ports of `ent[key]` for each protocol; None when absent (every port)."""
    seq: LSeq | None = r.field(ent, key, LSeq, path)
    if seq is None:
        if protocols is None:
            return None
        return tuple(PortSpec(protocol=p, protocol_written=True) for p in protocols)
    protos = protocols or (Protocol.TCP, Protocol.UDP, Protocol.SCTP)
    out: list[PortSpec] = []
    for i, item in enumerate(seq):
        span = seq.item_span(i)
        lo, hi = _port_range(r, item, f"{path}.{key}[{i}]", span)
        out.extend(PortSpec(lo, hi, p, True, span) for p in protos)
    return tuple(out)


def _port_range(r: Reader, item: object, path: str, span: object) -> tuple[int | str, int | None]:
    if isinstance(item, int) and not isinstance(item, bool):
        return item, None
    text = str(item)
    if ":" in text:
        lo, _, hi = text.partition(":")
        if lo.isdigit() and hi.isdigit():
            return int(lo), int(hi)
        r.bad(span, path, f"{text!r} is not a port range lo:hi")  # type: ignore[arg-type]
        raise Skip
    return (int(text), None) if text.isdigit() else (text, None)


def entity(r: Reader, ctx: RuleContext, ent: LMap, path: str) -> tuple[Match, ...]:
    """The peer alternatives of an entity rule (every criterion ANDed)."""
    sel = selector_text(r, ent, "selector", path)
    accounts, _ = service_accounts(r, ent, path)
    if accounts is not None:  # ANDed with the selector (getEndpointSelector)
        sel = And((accounts, sel)) if sel is not None else accounts
    not_sel = selector_text(r, ent, "notSelector", path)
    ns_sel = selector_text(r, ent, "namespaceSelector", path)
    nets = _nets(r, ent, "nets", path)
    not_nets = _nets(r, ent, "notNets", path)
    scoped = _scoped(sel, ns_sel, ctx.namespace, selected=sel is not None or not_sel is not None)
    excluded = Not(not_sel) if not_sel is not None else ALL
    out: list[Match] = []
    if scoped is not None:
        node = And((scoped, excluded))
        out += [Match(pods=s, networks=nets, not_networks=not_nets, networks_match_pods=True) for s in pod_scopes(node)]
        in_sets = _set_nets(matched_sets(node, ctx.sets, ctx.namespaces), nets)
        if in_sets:
            out.append(Match(networks=in_sets, not_networks=not_nets, external_only=True, networks_match_pods=True))
        return tuple(out)
    # No selector of any kind narrows the peer: every address (nets permitting), minus notSelector.
    if not_sel is None:
        return (Match(networks=nets, not_networks=not_nets, networks_match_pods=True),)
    out += [Match(pods=s, networks=nets, not_networks=not_nets, networks_match_pods=True) for s in pod_scopes(excluded)]
    excluded_sets = _set_nets(matched_sets(not_sel, ctx.sets, ctx.namespaces), None) or ()
    out.append(Match(networks=nets, not_networks=(not_nets or ()) + excluded_sets or None, external_only=True,
                     networks_match_pods=True))  # fmt: skip
    return tuple(out)


def service_accounts(r: Reader, ent: LMap, path: str) -> tuple[Node | None, bool]:
    """An entity rule's `serviceAccounts` as an endpoint selector (None: not set, or not modelled), and
    whether its `selector` could be modelled."""
    match: LMap | None = r.field(ent, "serviceAccounts", LMap, path)
    if match is None:
        return None, True
    names: LSeq = r.field(match, "names", LSeq, f"{path}.serviceAccounts") or LSeq()
    selector = selector_text(r, match, "selector", f"{path}.serviceAccounts")
    return service_account_node([str(n) for n in names], selector)


def service_account_notes(r: Reader, ent: LMap, path: str) -> list[str]:
    _, modelled = service_accounts(r, ent, path)
    return [] if modelled else ["serviceAccounts.selector on ServiceAccount labels (only projectcalico.org/name "
                                "is known offline)"]


def _scoped(sel: Node | None, ns_sel: Node | None, namespace: str | None, selected: bool) -> Node | None:
    """The endpoint selector with its namespace scope (getEndpointSelector), None if unscoped."""
    if ns_sel is not None:
        scope: Node | None = namespace_selector(ns_sel)
    elif namespace is not None and selected:
        scope = in_namespace(namespace)
    else:
        scope = None
    if scope is None:
        return sel
    return And((scope, sel)) if sel is not None else scope


def _nets(r: Reader, ent: LMap, key: str, path: str) -> tuple[IPBlock, ...] | None:
    seq: LSeq | None = r.field(ent, key, LSeq, path)
    if seq is None:
        return None
    out = []
    for i, text in enumerate(seq):
        cidr = str(text) if "/" in str(text) else f"{text}/{128 if ':' in str(text) else 32}"
        net = parse_cidr(cidr)
        if net is None:
            r.bad(seq.item_span(i), f"{path}.{key}[{i}]", f"{shown(text)} is not a CIDR")
            raise Skip
        out.append(IPBlock(cidr, network=net, span=seq.item_span(i)))
    return tuple(out)


def _set_nets(sets: list[NetSet], nets: tuple[IPBlock, ...] | None) -> tuple[IPBlock, ...]:
    """The addresses of the matched network sets, intersected with the rule's nets when set."""
    blocks = []
    for s in sets:
        for text in s.nets:
            net = parse_cidr(text if "/" in text else f"{text}/{128 if ':' in text else 32}")
            if net is None:
                continue
            for other in [b.network for b in nets or ()] if nets is not None else [net]:
                if other is not None and other.version == net.version and net.overlaps(other):
                    small = net if net.prefixlen >= other.prefixlen else other
                    blocks.append(IPBlock(str(small), network=small))
    return tuple(dict.fromkeys(blocks))

