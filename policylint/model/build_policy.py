"""NetworkPolicy documents -> NetworkPolicy: policyTypes, rules, peers and ipBlocks."""

from __future__ import annotations

import ipaddress

from policylint.load.fields import Reader, Skip, shown
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_ports import port_spec
from policylint.model.build_selector import selector
from policylint.model.policy import Direction, IPBlock, IPNetwork, NetworkPolicy, Peer, Rule
from policylint.model.selector import LabelSelector


def network_policy(
    r: Reader, doc: LMap, namespace: str, name: str, annotations: dict[str, str]
) -> NetworkPolicy | None:
    if doc.get("spec") is None:
        # The API server stores a missing spec as the zero NetworkPolicySpec: podSelector {} and,
        # by SetDefaults_NetworkPolicySpec, policyTypes [Ingress], so every pod of the namespace
        # is isolated for ingress (kubernetes pkg/apis/networking/v1/defaults.go).
        spec = _empty_spec(doc)
    else:
        found: LMap | None = r.field(doc, "spec", LMap, "NetworkPolicy", skip=False)
        if found is None:
            return None
        spec = found
    try:
        pod_selector = selector(r, spec, "podSelector", "spec")
    except Skip:
        return None
    if pod_selector is None:
        # Omitted podSelector is {}: all pods of the namespace (kubernetes/kubernetes#131354 made the
        # API reference say so; the field has `+optional` in staging/src/k8s.io/api/networking/v1/types.go).
        pod_selector = LabelSelector(span=spec.span)
    ingress = rules(r, spec, "ingress", Direction.INGRESS)
    egress = rules(r, spec, "egress", Direction.EGRESS)
    return NetworkPolicy(
        namespace=namespace,
        name=name,
        pod_selector=pod_selector,
        policy_types_written=policy_types(r, spec),
        ingress=ingress,
        egress=egress,
        span=doc.span,
        annotations=annotations,
        policy_types_span=spec.key_span("policyTypes") if "policyTypes" in spec else None,
        ingress_span=spec.key_span("ingress") if "ingress" in spec else None,
        egress_span=spec.key_span("egress") if "egress" in spec else None,
    )


def policy_types(r: Reader, spec: LMap) -> tuple[Direction, ...] | None:
    try:
        written: LSeq | None = r.field(spec, "policyTypes", LSeq, "spec")
    except Skip:
        return None
    if written is None:
        return None
    out: list[Direction] = []
    for i, value in enumerate(written):
        if value == "Ingress":
            out.append(Direction.INGRESS)
        elif value == "Egress":
            out.append(Direction.EGRESS)
        else:
            r.bad(written.item_span(i), f"spec.policyTypes[{i}]", f"{shown(value)} is not Ingress or Egress")
    return tuple(out)


def rules(r: Reader, spec: LMap, key: str, direction: Direction) -> tuple[Rule, ...] | None:
    try:
        written: LSeq | None = r.field(spec, key, LSeq, "spec")
    except Skip:
        return None  # unreadable: no rules, so the direction (if isolated) allows nothing
    if written is None:
        return None
    out: list[Rule] = []
    for i, item in enumerate(written):
        path = f"spec.{key}[{i}]"
        if not isinstance(item, LMap):
            if item is not None:
                r.bad(written.item_span(i), path, f"{shown(item)} is not a mapping")
                continue
            item = _empty_like(written, i)  # `- ` alone: an empty rule, which allows everything
        try:
            out.append(rule(r, item, direction, i, path))
        except Skip:
            continue
    return tuple(out)


def _empty_spec(doc: LMap) -> LMap:
    out = LMap()
    out.file, out.entries, out.pos = doc.file, [], doc.pos
    return out


def _empty_like(seq: LSeq, index: int) -> LMap:
    out = LMap()
    out.file, out.entries = seq.file, []
    span = seq.item_span(index)
    out.pos = (span.line, span.column, span.end_line, span.end_column)
    return out


def rule(r: Reader, item: LMap, direction: Direction, index: int, path: str) -> Rule:
    peer_key = "from" if direction is Direction.INGRESS else "to"
    peers_seq: LSeq | None = r.field(item, peer_key, LSeq, path)
    ports_seq: LSeq | None = r.field(item, "ports", LSeq, path)
    peers = (
        None
        if peers_seq is None
        else tuple(peer(r, peers_seq, i, f"{path}.{peer_key}[{i}]") for i in range(len(peers_seq)))
    )
    ports = (
        None
        if ports_seq is None
        else tuple(port_spec(r, ports_seq, i, f"{path}.ports[{i}]") for i in range(len(ports_seq)))
    )
    return Rule(direction, index, peers, ports, item.span)


def peer(r: Reader, seq: LSeq, index: int, path: str) -> Peer:
    item = seq[index]
    if not isinstance(item, LMap):
        r.bad(seq.item_span(index), path, f"{shown(item)} is not a mapping")
        raise Skip
    return Peer(
        pod_selector=selector(r, item, "podSelector", path),
        namespace_selector=selector(r, item, "namespaceSelector", path),
        ip_block=ip_block(r, item, path),
        span=seq.item_span(index),
    )


def ip_block(r: Reader, peer_map: LMap, path: str) -> IPBlock | None:
    block: LMap | None = r.field(peer_map, "ipBlock", LMap, path)
    if block is None:
        return None
    here = f"{path}.ipBlock"
    cidr = r.field(block, "cidr", str, here)
    if cidr is None:
        r.bad(block.span, here, "missing required 'cidr'")
        raise Skip
    excepts: LSeq | None = r.field(block, "except", LSeq, here)
    texts: list[str] = []
    for i, value in enumerate(excepts or ()):
        if not isinstance(value, str):
            r.bad(excepts.item_span(i) if excepts else block.span, f"{here}.except[{i}]", "not a string")
            raise Skip
        texts.append(value)
    spans = tuple(excepts.item_span(i) for i in range(len(texts))) if excepts else ()
    return IPBlock(cidr, tuple(texts), parse_cidr(cidr), tuple(parse_cidr(t) for t in texts), block.span, spans)


def parse_cidr(text: str) -> IPNetwork | None:
    """The network of a CIDR, host bits allowed (the API accepts them; NP102 flags them)."""
    if "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
