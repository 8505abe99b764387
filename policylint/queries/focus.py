"""Filters on listed connections: --from, --to, --namespace, --port and --protocol.

A port filter is a comma list of items, each a number (`80`), a range (`9000-9100`) or a port
name (`http`, resolved per destination workload from its containerPorts, as a policy's named
port is), each optionally `/TCP`, `/UDP` or `/SCTP` (a number without one is TCP, as in a
policy; a name, any protocol its container port has); a bare protocol (`UDP`) is every port of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import FULL, NONE, ConnSet
from policylint.engine.matrix import Connection, External, MatrixEndpoint
from policylint.model.policy import IPBlock, Protocol
from policylint.model.workload import Workload
from policylint.queries.endpoints import EndpointError, EndpointSpec, closest, resolve


@dataclass(frozen=True, slots=True)
class PortItem:
    protocol: Protocol | None  # None: every protocol
    lo: int = 1
    hi: int = 65535
    name: str | None = None  # a named port, resolved per destination


def _protocol(text: str) -> Protocol:
    try:
        return Protocol[text.strip().upper()]
    except KeyError:
        raise EndpointError(f"unknown protocol {text!r}: use TCP, UDP or SCTP") from None


def _item(text: str, default: Protocol | None) -> PortItem:
    body, _, proto = text.strip().partition("/")
    protocol = _protocol(proto) if proto else default
    if not proto and body.upper() in Protocol.__members__:
        return PortItem(Protocol[body.upper()])
    lo_text, dash, hi_text = body.partition("-")
    if lo_text.isdigit() and (not dash or hi_text.isdigit()):
        lo, hi = int(lo_text), int(hi_text) if dash else int(lo_text)
        if not 1 <= lo <= hi <= 65535:
            raise EndpointError(f"{body!r} is not a port or port range within 1-65535")
        return PortItem(protocol or Protocol.TCP, lo, hi)  # TCP when unsaid, as in a policy's ports
    if not body or not all(c.isalnum() or c == "-" for c in body):
        raise EndpointError(f"cannot read port {text!r}: use 80, 9000-9100, http, 80,443 or 53/UDP")
    return PortItem(protocol, name=body)


def parse_ports(text: str | None, protocol: str | None = None) -> list[PortItem] | None:
    """None when neither --port nor --protocol is given (no filter)."""
    default = _protocol(protocol) if protocol else None
    if not text:
        return [PortItem(default)] if default else None
    return [_item(part, default) for part in text.split(",") if part.strip()]


def _protocols(item: PortItem) -> tuple[Protocol, ...]:
    return (item.protocol,) if item.protocol else tuple(Protocol)


def port_conns(items: Iterable[PortItem], dst: Workload | None) -> ConnSet:
    """The connections the items name for one destination (a name matches only its workload's ports)."""
    out = NONE
    for item in items:
        for proto in _protocols(item):
            if item.name is None:
                whole = item.lo == 1 and item.hi == 65535
                out = out | (ConnSet({proto: FULL}) if whole else ConnSet.single(proto, item.lo, item.hi))
            elif dst is not None:
                number = dst.named_port(item.name, proto)
                if number is not None:
                    out = out | ConnSet.single(proto, number)
    return out


@dataclass(frozen=True, slots=True)
class Focus:
    """Which rows to keep, and which of their connections."""

    src: EndpointSpec | None = None
    dst: EndpointSpec | None = None
    namespace: str | None = None
    ports: tuple[PortItem, ...] | None = None

    @property
    def active(self) -> bool:
        return any(x is not None for x in (self.src, self.dst, self.namespace, self.ports))


def make_focus(
    ev: Evaluator, src: str | None, dst: str | None, namespace: str | None, port: str | None, protocol: str | None
) -> Focus:
    """EndpointError when an endpoint or port cannot be read or names nothing. `deploy/api` is
    in `namespace` (as with kubectl -n), else in `default`."""
    if namespace is not None and namespace not in {w.namespace for w in ev.workloads}:
        known = sorted({w.namespace for w in ev.workloads})
        raise EndpointError(f"no namespace {namespace!r} in the input" + closest(namespace, known))
    ports = parse_ports(port, protocol)
    return Focus(
        resolve(ev, src, namespace or "default") if src else None,
        resolve(ev, dst, namespace or "default") if dst else None,
        namespace,
        tuple(ports) if ports is not None else None,
    )


def _network_atoms(ev: Evaluator, spec: EndpointSpec) -> int:
    if spec.any_external:
        return ev.space.all
    if spec.network is None:
        return 0
    return ev.space.block_atoms(IPBlock(str(spec.network), network=spec.network))


def _cut(ev: Evaluator, e: MatrixEndpoint, spec: EndpointSpec | None) -> MatrixEndpoint | None:
    """The part of an end the spec keeps (an external range is cut to the spec's addresses)."""
    if spec is None:
        return e
    if isinstance(e, External):
        atoms = e.atoms & _network_atoms(ev, spec)
        return External(atoms) if atoms else None
    return e if spec.workloads >> e & 1 else None


def _in_namespace(ev: Evaluator, e: MatrixEndpoint, namespace: str) -> bool:
    return not isinstance(e, External) and ev.workloads[e].namespace == namespace


def apply(ev: Evaluator, rows: Iterable[Connection], focus: Focus) -> Iterable[Connection]:
    """The rows (cut to the focus) with an end in --namespace, a source in --from, a destination
    in --to and, with --port/--protocol, at least one of the named connections."""
    return _focused(ev, rows, focus) if focus.active else rows  # no filter: the rows themselves


def _focused(ev: Evaluator, rows: Iterable[Connection], focus: Focus) -> Iterator[Connection]:
    for c in rows:
        if focus.namespace is not None and not (
            _in_namespace(ev, c.src, focus.namespace) or _in_namespace(ev, c.dst, focus.namespace)
        ):
            continue
        src, dst = _cut(ev, c.src, focus.src), _cut(ev, c.dst, focus.dst)
        if src is None or dst is None:
            continue
        conns = c.conns
        if focus.ports is not None:
            target = None if isinstance(dst, External) else ev.workloads[dst]
            conns = conns & port_conns(focus.ports, target)
        if conns:
            yield Connection(src, dst, conns)
