"""Hypothesis strategies that build small model Clusters directly (no YAML).

The universe is deliberately tiny (keys {app, tier}, values {a, b, c}, a handful of ports) so
that random selectors, peers and ports collide often and every peer shape is drawn.
"""

from __future__ import annotations

import ipaddress
from typing import TypeVar

from hypothesis import strategies as st

from policylint.model import (
    NAMESPACE_NAME_LABEL,
    PROTOCOLS,
    Cluster,
    ContainerPort,
    Direction,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    PortSpec,
    Requirement,
    Rule,
    Workload,
)

KEYS = ("app", "tier")
VALUES = ("a", "b", "c")
NAMESPACES = ("ns0", "ns1", "ns2")
PORTS = (53, 80, 443, 5432, 8080)
PORT_NAMES = ("http", "dns", "db")
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
V4_SPACE = ipaddress.ip_network("10.0.0.0/16")
V6_SPACE = ipaddress.ip_network("fd00::/48")

protocols = st.sampled_from(PROTOCOLS)
labels = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2)


@st.composite
def requirements(draw: st.DrawFn) -> Requirement:
    op = draw(st.sampled_from(list(Operator)))
    if op in (Operator.IN, Operator.NOT_IN):
        values = tuple(draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True)))
        return Requirement(draw(st.sampled_from(KEYS)), op, values)
    if op.value not in ("Exists", "DoesNotExist"):  # Calico's string operators take one text
        # "o" and "r0": texts the solver's invented values ("other0") once passed (witness refuted)
        text = draw(st.sampled_from([*VALUES, "", "x", "o", "r0", *(v[:1] for v in VALUES)]))
        return Requirement(draw(st.sampled_from(KEYS)), op, (text,))
    return Requirement(draw(st.sampled_from(KEYS)), op)


def selectors(with_names: bool = False) -> st.SearchStrategy[LabelSelector]:
    """Selectors, often empty; namespace selectors sometimes select by name (also a name no
    namespace has), the only way to pick a namespace by name."""
    plain = st.builds(
        LabelSelector,
        labels.map(lambda d: tuple(sorted(d.items()))),
        st.lists(requirements(), max_size=2).map(tuple),
    )
    if not with_names:
        return plain
    by_name = st.sampled_from((*NAMESPACES, "ghost")).map(
        lambda n: LabelSelector(((NAMESPACE_NAME_LABEL, n),))
    )
    return st.one_of(plain, by_name)


@st.composite
def subnets(draw: st.DrawFn, net: IPNet, max_extra: int = 8) -> IPNet:
    """A subnet of `net` (or net itself)."""
    extra = draw(st.integers(0, min(max_extra, net.max_prefixlen - net.prefixlen)))
    offset = draw(st.integers(0, (1 << extra) - 1))
    prefix = net.prefixlen + extra
    base = int(net.network_address) + (offset << (net.max_prefixlen - prefix))
    return ipaddress.ip_network((base, prefix))


@st.composite
def ip_blocks(draw: st.DrawFn) -> IPBlock:
    space = draw(st.sampled_from((V4_SPACE, V6_SPACE, ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))))
    net = draw(subnets(space))
    excepts = draw(st.lists(subnets(net), max_size=2))  # an except equal to the cidr empties the block
    return IPBlock(str(net), tuple(map(str, excepts)), net, tuple(excepts))


def peers() -> st.SearchStrategy[Peer]:
    return st.one_of(
        st.builds(Peer, pod_selector=selectors()),
        st.builds(Peer, namespace_selector=selectors(with_names=True)),
        st.builds(Peer, pod_selector=selectors(), namespace_selector=selectors(with_names=True)),
        st.builds(Peer, ip_block=ip_blocks()),
        st.just(Peer()),  # invalid (the API server rejects it), but both engines must agree: nothing
    )


@st.composite
def port_specs(draw: st.DrawFn) -> PortSpec:
    protocol = draw(protocols)
    kind = draw(st.sampled_from(("absent", "number", "range", "name")))
    if kind == "absent":
        return PortSpec(None, None, protocol)
    if kind == "name":
        return PortSpec(draw(st.sampled_from((*PORT_NAMES, "nope"))), None, protocol)
    port = draw(st.sampled_from(PORTS))
    end = draw(st.sampled_from([p for p in (*PORTS, port + 1, 65535) if p >= port])) if kind == "range" else None
    return PortSpec(port, end, protocol)


T = TypeVar("T")


def optional_list(elements: st.SearchStrategy[T], max_size: int = 3) -> st.SearchStrategy[tuple[T, ...] | None]:
    """None (absent), () (written empty) or a non-empty tuple: all three mean different things."""
    return st.one_of(st.none(), st.just(()), st.lists(elements, min_size=1, max_size=max_size).map(tuple))


@st.composite
def rules(draw: st.DrawFn, direction: Direction) -> tuple[Rule, ...] | None:
    n = draw(st.sampled_from((None, 0, 1, 2, 3)))
    if n is None:
        return None
    return tuple(
        Rule(direction, i, draw(optional_list(peers())), draw(optional_list(port_specs())))
        for i in range(n)
    )


@st.composite
def policies(draw: st.DrawFn, name: str, namespaces: list[str]) -> NetworkPolicy:
    types = draw(
        st.sampled_from(
            (None, (), (Direction.INGRESS,), (Direction.EGRESS,), (Direction.INGRESS, Direction.EGRESS),
             (Direction.EGRESS, Direction.INGRESS))
        )
    )
    return NetworkPolicy(
        namespace=draw(st.sampled_from(namespaces)),
        name=name,
        pod_selector=draw(selectors()),
        policy_types_written=types,
        ingress=draw(rules(Direction.INGRESS)),
        egress=draw(rules(Direction.EGRESS)),
    )


@st.composite
def workloads(draw: st.DrawFn, name: str, namespaces: list[str]) -> Workload:
    names = draw(st.lists(st.sampled_from(PORT_NAMES), max_size=2, unique=True))
    ports = tuple(ContainerPort(draw(st.sampled_from(PORTS)), draw(protocols), n) for n in names)
    host = draw(st.integers(0, 5)) == 0
    return Workload(draw(st.sampled_from(namespaces)), name, "Deployment", draw(labels), ports, host)


@st.composite
def clusters(draw: st.DrawFn) -> Cluster:
    ns_names = draw(st.lists(st.sampled_from(NAMESPACES), min_size=1, max_size=3, unique=True))
    namespaces = [Namespace(n, draw(labels)) for n in ns_names]
    n_work = draw(st.integers(1, 5))
    work = [draw(workloads(f"w{i}", ns_names)) for i in range(n_work)]
    n_pol = draw(st.integers(0, 4))
    pols = [draw(policies(f"p{i}", ns_names)) for i in range(n_pol)]
    return Cluster.of(namespaces, work, (), pols)
