"""Located documents -> model objects, plus the input problems met on the way (pure; no I/O).

Nothing here resolves selectors; it only reads what is written. Wrong types never raise:
they become NP002 problems and the smallest enclosing object that can be dropped without
widening access is skipped (an unreadable peer or port drops its rule, which then allows
nothing; an unreadable podSelector drops the policy). Invalid *values* (port 0, a CIDR
that does not parse, bad label keys) are kept for the validity rules (NP1xx).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policylint.findings import OWNER_LABELS_DIFFER, InputProblem, Span
from policylint.load.documents import WORKLOAD_KINDS
from policylint.load.fields import Reader, Skip, as_text, shown
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.cluster import Cluster
from policylint.model.policy import Direction, IPBlock, IPNetwork, NetworkPolicy, Peer, PortSpec, Protocol, Rule
from policylint.model.selector import LabelSelector, Operator, Requirement
from policylint.model.workload import ContainerPort, Namespace, Service, ServicePort, Workload

# --- selectors -------------------------------------------------------------------------------------

_OPERATORS = {op.value: op for op in Operator}


def selector(r: Reader, obj: LMap, key: str, path: str) -> LabelSelector | None:
    """A LabelSelector; None when absent. Skip when it cannot be read."""
    value: LMap | None = r.field(obj, key, LMap, path)
    if value is None:
        return None
    here = f"{path}.{key}"
    labels = r.labels(value, "matchLabels", here) or {}
    exprs: LSeq | None = r.field(value, "matchExpressions", LSeq, here)
    reqs = tuple(requirement(r, exprs, i, f"{here}.matchExpressions[{i}]") for i in range(len(exprs or ())))
    return LabelSelector(tuple(sorted(labels.items())), reqs, value.span)


def requirement(r: Reader, exprs: Any, index: int, path: str) -> Requirement:
    item = exprs[index]
    span = exprs.item_span(index)
    if not isinstance(item, LMap):
        r.bad(span, path, f"{shown(item)} is not a mapping")
        raise Skip
    key = r.field(item, "key", str, path)
    op_text = r.field(item, "operator", str, path)
    values: LSeq | None = r.field(item, "values", LSeq, path)
    texts = tuple(v if isinstance(v, str) else as_text(v) for v in values or ())
    for i, v in enumerate(values or ()):
        if not isinstance(v, str):
            r.bad(values.item_span(i) if values else span, f"{path}.values[{i}]", f"{shown(v)} is not a string")
    if key is None or op_text is None:
        r.bad(span, path, "a requirement needs 'key' and 'operator'")
        raise Skip
    op = _OPERATORS.get(op_text)
    if op is None:
        # Matches nothing, like an In with no values, so it never widens what a rule allows.
        where = item.value_span("operator")
        r.bad(where, f"{path}.operator", f"unknown operator {op_text!r} (In, NotIn, Exists, DoesNotExist)")
        return Requirement(key, Operator.IN, (), span)
    return Requirement(key, op, texts, span)


# --- NetworkPolicy ---------------------------------------------------------------------------------

_PROTOCOLS = {p.value: p for p in Protocol}


def network_policy(
    r: Reader, doc: LMap, namespace: str, name: str, annotations: dict[str, str]
) -> NetworkPolicy | None:
    spec: LMap | None = r.field(doc, "spec", LMap, "NetworkPolicy", skip=False)
    if spec is None:
        r.bad(doc.span, f"NetworkPolicy {namespace}/{name}", "missing 'spec'")
        return None
    try:
        pod_selector = selector(r, spec, "podSelector", "spec")
    except Skip:
        return None
    if pod_selector is None:
        r.bad(spec.span, "spec", "missing required 'podSelector'")
        return None
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


def port_spec(r: Reader, seq: LSeq, index: int, path: str) -> PortSpec:
    item = seq[index]
    span = seq.item_span(index)
    if item is None:
        return PortSpec(span=span)  # `- {}` written as `-`: all ports, TCP
    if not isinstance(item, LMap):
        r.bad(span, path, f"{shown(item)} is not a mapping")
        raise Skip
    port = r.field(item, "port", (int, str), path)
    end_port = r.field(item, "endPort", int, path)
    proto_text = r.field(item, "protocol", str, path)
    protocol = Protocol.TCP
    if proto_text is not None:
        found = _PROTOCOLS.get(proto_text)
        if found is None:
            r.bad(item.value_span("protocol"), f"{path}.protocol", f"{proto_text!r} is not TCP, UDP or SCTP")
            raise Skip
        protocol = found
    return PortSpec(port, end_port, protocol, proto_text is not None, span)


# --- namespaces, workloads, services ---------------------------------------------------------------

_TEMPLATE_PATH = {"Pod": (), "CronJob": ("spec", "jobTemplate", "spec", "template")}


_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@dataclass(slots=True)
class Meta:
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    owner: tuple[str, str] | None  # (kind, name) of the controller ownerReference


def metadata(r: Reader, doc: LMap, kind: str, default_namespace: str) -> Meta:
    meta: LMap | None = r.field(doc, "metadata", LMap, kind)
    name = r.field(meta, "name", str, "metadata") if meta is not None else None
    if meta is None or not name:
        r.bad(meta.span if meta is not None else doc.span, f"{kind}.metadata", "missing required 'name'")
        raise Skip
    namespace = r.field(meta, "namespace", str, "metadata", skip=False) or default_namespace
    for key, value in (("name", name), ("namespace", namespace)):
        if not _DNS_SUBDOMAIN.fullmatch(value) or len(value) > 253:
            # The API server rejects it; and a name with a newline would forge lines in the output.
            where = meta.value_span(key) if key in meta else meta.span
            r.bad(where, f"metadata.{key}", f"{value!r} is not a valid Kubernetes name "
                  "(lowercase letters, digits, '-' and '.', at most 253 characters); object skipped")  # fmt: skip
            raise Skip
    labels = _optional_labels(r, meta, "labels", "metadata")
    annotations = _optional_labels(r, meta, "annotations", "metadata")
    return Meta(name, namespace, labels, annotations, controller_owner(r, meta))


def _optional_labels(r: Reader, obj: LMap, key: str, path: str) -> dict[str, str]:
    try:
        return r.labels(obj, key, path) or {}
    except Skip:
        return {}


def controller_owner(r: Reader, meta: LMap) -> tuple[str, str] | None:
    refs = r.field(meta, "ownerReferences", LSeq, "metadata", skip=False)
    for ref in refs or ():
        if isinstance(ref, LMap) and ref.get("controller") is True:
            kind, name = ref.get("kind"), ref.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                return kind, name
    return None


def namespace(r: Reader, doc: LMap, meta: Meta) -> Namespace:
    return Namespace(meta.name, meta.labels, doc.span, meta.annotations)


def workload(r: Reader, doc: LMap, kind: str, meta: Meta) -> Workload:
    """The pod template of a controller (or a Pod itself), named after the object."""
    path = _TEMPLATE_PATH.get(kind, ("spec", "template"))
    template: LMap = doc
    for depth, key in enumerate(path):
        found = r.field(template, key, LMap, ".".join(path[:depth]) or kind)
        if found is None:
            r.bad(template.span, ".".join(path[:depth]) or kind, f"missing required '{key}'")
            raise Skip
        template = found
    labels = meta.labels
    if path:
        tmeta = r.field(template, "metadata", LMap, "template", skip=False)
        labels = _optional_labels(r, tmeta, "labels", "template.metadata") if tmeta is not None else {}
    spec = r.field(template, "spec", LMap, "template", skip=False)
    ports = container_ports(r, spec) if spec is not None else ()
    host = r.field(spec, "hostNetwork", bool, "spec", skip=False) if spec is not None else None
    return Workload(meta.namespace, meta.name, kind, labels, ports, bool(host), doc.span, meta.annotations)


def container_ports(r: Reader, spec: LMap) -> tuple[ContainerPort, ...]:
    out: list[ContainerPort] = []
    for key in ("initContainers", "containers"):
        containers = r.field(spec, key, LSeq, "spec", skip=False)
        for ci, container in enumerate(containers or ()):
            if not isinstance(container, LMap):
                continue  # reported by schema validation; a container without ports adds nothing
            ports = r.field(container, "ports", LSeq, f"spec.{key}[{ci}]", skip=False)
            for pi in range(len(ports or ())):
                try:
                    out.append(container_port(r, ports, pi, f"spec.{key}[{ci}].ports[{pi}]"))
                except Skip:
                    continue
    return tuple(out)


def container_port(r: Reader, seq: Any, index: int, path: str) -> ContainerPort:
    item = seq[index]
    if not isinstance(item, LMap):
        r.bad(seq.item_span(index), path, f"{shown(item)} is not a mapping")
        raise Skip
    number = r.field(item, "containerPort", int, path)
    if number is None:
        r.bad(seq.item_span(index), path, "missing required 'containerPort'")
        raise Skip
    name = r.field(item, "name", str, path, skip=False)
    return ContainerPort(number, _protocol(r, item, path), name, seq.item_span(index))


def _protocol(r: Reader, item: LMap, path: str) -> Protocol:
    text = r.field(item, "protocol", str, path)
    if text is None:
        return Protocol.TCP
    found = _PROTOCOLS.get(text)
    if found is None:
        r.bad(item.value_span("protocol"), f"{path}.protocol", f"{text!r} is not TCP, UDP or SCTP")
        raise Skip
    return found


def service(r: Reader, doc: LMap, meta: Meta) -> Service:
    spec = r.field(doc, "spec", LMap, "Service", skip=False)
    if spec is None:
        return Service(meta.namespace, meta.name, span=doc.span, annotations=meta.annotations)
    kind = r.field(spec, "type", str, "spec", skip=False) or "ClusterIP"
    selector_map = r.labels(spec, "selector", "spec")
    ports: list[ServicePort] = []
    seq = r.field(spec, "ports", LSeq, "spec", skip=False)
    for i in range(len(seq or ())):
        try:
            ports.append(service_port(r, seq, i, f"spec.ports[{i}]"))
        except Skip:
            continue
    selector_span = spec.value_span("selector") if "selector" in spec else None
    return Service(meta.namespace, meta.name, kind, selector_map, tuple(ports), doc.span, selector_span,
                   meta.annotations)  # fmt: skip


def service_port(r: Reader, seq: Any, index: int, path: str) -> ServicePort:
    item = seq[index]
    if not isinstance(item, LMap):
        r.bad(seq.item_span(index), path, f"{shown(item)} is not a mapping")
        raise Skip
    port = r.field(item, "port", int, path)
    if port is None:
        r.bad(seq.item_span(index), path, "missing required 'port'")
        raise Skip
    target = r.field(item, "targetPort", (int, str), path)
    name = r.field(item, "name", str, path, skip=False)
    node_port = r.field(item, "nodePort", int, path, skip=False)
    protocol = _protocol(r, item, path)
    return ServicePort(port, port if target is None else target, protocol, name, node_port, seq.item_span(index))


# --- the cluster -------------------------------------------------------------------------------------

Key = tuple[str, str, str]  # namespace, kind, name


@dataclass(slots=True)
class _Member:
    is_pod: bool
    key: Key  # the object's own key
    workload: Workload


def build_cluster(objects: Sequence[LMap], default_namespace: str = "default") -> tuple[Cluster, list[InputProblem]]:
    """Model objects from documents of the kinds read (others must be filtered out before)."""
    r = Reader()
    namespaces: list[Namespace] = []
    services: list[Service] = []
    policies: list[NetworkPolicy] = []
    members: list[_Member] = []
    parents: dict[Key, Key] = {}
    for doc in objects:
        kind = doc.get("kind")
        try:
            meta = metadata(r, doc, str(kind), default_namespace)
            if kind == "Namespace":
                namespaces.append(namespace(r, doc, meta))
            elif kind == "Service":
                services.append(service(r, doc, meta))
            elif kind == "NetworkPolicy":
                found = network_policy(r, doc, meta.namespace, meta.name, meta.annotations)
                policies.extend([found] if found else [])
            elif kind in WORKLOAD_KINDS:
                w = workload(r, doc, str(kind), meta)
                own: Key = (meta.namespace, str(kind), meta.name)
                if meta.owner is not None:
                    parents[own] = (meta.namespace, *meta.owner)
                members.append(_Member(kind == "Pod", own, w))
        except Skip:
            continue
    workloads = merge_owned(r, members, parents)
    cluster = Cluster.of(
        sorted(namespaces, key=lambda n: (n.name, n.span or Span("", 0, 0))),
        sorted(workloads, key=lambda w: (w.namespace, w.name, w.kind, w.span)),
        sorted(services, key=lambda s: (s.namespace, s.name, s.span)),
        sorted(policies, key=lambda p: (p.namespace, p.name, p.span)),
    )
    return cluster, r.problems


def merge_owned(r: Reader, members: list[_Member], parents: dict[Key, Key]) -> list[Workload]:
    """One workload per controller: a Pod joins its direct owner, and any object joins an owner
    that is itself in the input (so `kubectl get all` gives one workload, not three)."""
    present = {m.key for m in members if not m.is_pod}
    groups: dict[Key, list[_Member]] = {}
    for m in members:
        key = parents.get(m.key, m.key) if m.is_pod else m.key
        seen = {key}
        while key in parents and parents[key] in present and parents[key] not in seen:
            key = parents[key]
            seen.add(key)
        groups.setdefault(key, []).append(m)
    return [_merged(r, key, group) for key, group in sorted(groups.items())]


def _merged(r: Reader, key: Key, group: list[_Member]) -> Workload:
    group.sort(key=lambda m: (m.key != key, m.is_pod, m.workload.name, m.workload.span))
    first = group[0].workload
    pods = [m.workload for m in group if m.is_pod]
    differing = [p for p in pods if p.labels != pods[0].labels]
    if differing:
        ref = f"{key[0]}/{key[2]}[{key[1]}]"
        message = (f"pods of {ref} have different labels ({pods[0].name}: {_labels(pods[0])}, "
                   f"{differing[0].name}: {_labels(differing[0])}); using those of {first.name}")  # fmt: skip
        r.problems.append(InputProblem(OWNER_LABELS_DIFFER, differing[0].span, message))
    if len(group) == 1 and group[0].key == key:
        return first
    return Workload(key[0], key[2], key[1], first.labels, first.ports, first.host_network, first.span,
                    first.annotations)  # fmt: skip


def _labels(w: Workload) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(w.labels.items())) + "}"
