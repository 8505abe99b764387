"""queries/coverage.py, smt_coverage.py, services.py and expectations.py: concrete leftovers, symbolic
containment, service ports and expectation ports."""

from __future__ import annotations

import pytest

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.smt import Pods, SmtEngine, Undecided, Witness
from policylint.model import (
    ContainerPort,
    Direction,
    LabelSelector,
    NetworkPolicy,
    Peer,
    PortSpec,
    Protocol,
    Rule,
    Service,
    Workload,
)
from policylint.model.cluster import Cluster
from policylint.queries import coverage, expectations, services, smt_coverage
from policylint.queries.endpoints import EndpointError, resolve

IN = Direction.INGRESS
TCP80, TCP443 = ConnSet.single(Protocol.TCP, 80), ConnSet.single(Protocol.TCP, 443)


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())))


API = Workload("shop", "api", "Deployment", {"app": "api"}, (ContainerPort(8080, name="http"),))
WEB = Workload("shop", "web", "Deployment", {"app": "web"})


def test_leftover_subtracts_pieces_member_by_member() -> None:
    assert not coverage.leftover(0b11, TCP80, [(0b01, TCP80), (0b10, TCP80 | TCP443)])
    assert coverage.leftover(0b11, TCP80 | TCP443, [(0b01, TCP80), (0b10, TCP80 | TCP443)])
    assert not coverage.leftover(0, TCP80, [])


def test_concrete_rule_coverage_lists_the_overlapping_rules() -> None:
    wide = Rule(IN, 0, (Peer(pod_selector=sel(app="web")),), (PortSpec(80), PortSpec(443)))
    narrow = Rule(IN, 1, (Peer(pod_selector=sel(app="web")),), (PortSpec(80),))
    p = NetworkPolicy("shop", "api", sel(app="api"), None, (wide, narrow))
    ev = Evaluator(Cluster.of([], [API, WEB], policies=[p]))
    compiled = ev.compiled_rules(0, IN)
    result = coverage.concrete_rule_coverage(ev, 0, compiled[1])
    assert result.covered and result.overlapping == (compiled[0],)
    assert not coverage.concrete_rule_coverage(ev, 0, compiled[0]).covered


def test_selection_and_peer_containment_hold_for_every_possible_pod() -> None:
    r = Rule(IN, 0, (Peer(pod_selector=sel(app="web")), Peer(namespace_selector=LabelSelector())))
    everyone = NetworkPolicy("shop", "all", LabelSelector())
    api = NetworkPolicy("shop", "api", sel(app="api"), None, (r,))
    engine = SmtEngine(Cluster.of([], [API], policies=[everyone, api]))
    assert engine.selection_covered(api, [everyone], IN) is True
    assert engine.selection_covered(everyone, [api], IN) is False
    assert smt_coverage.peer_covered(engine, api, r, 0, 1) is True
    assert smt_coverage.peer_covered(engine, api, r, 1, 0) is False


def test_service_backends_and_named_target_ports() -> None:
    ev = Evaluator(Cluster.of([], [API, WEB]))
    service = Service("shop", "api", selector={"app": "api"})
    assert services.backends(ev, service) == 0b01
    assert services.backends(ev, Service("shop", "x")) == 0
    assert services.target_port(API, "http", 80, Protocol.TCP) == 8080
    assert services.target_port(API, None, 80, Protocol.TCP) == 80
    assert services.target_port(API, "grpc", 80, Protocol.TCP) is None
    assert services.reachable_from_somewhere(ev, 0, Protocol.TCP, 8080)


def test_port_conns_reads_numbers_protocols_and_names() -> None:
    ev = Evaluator(Cluster.of([], [API, WEB]))
    api = resolve(ev, "shop/api")
    assert expectations.port_conns(ev, api, 5432) == ConnSet.single(Protocol.TCP, 5432)
    assert expectations.port_conns(ev, api, "53/udp") == ConnSet.single(Protocol.UDP, 53)
    assert expectations.port_conns(ev, api, "http") == ConnSet.single(Protocol.TCP, 8080)
    assert expectations.port_conns(ev, api, None) is None
    with pytest.raises(EndpointError):
        expectations.port_conns(ev, resolve(ev, "shop:app=api"), "http")


def test_find_flow_respects_exempt_endpoints_and_blocked_flows() -> None:
    rule = Rule(IN, 0, (Peer(pod_selector=sel(app="web")),), (PortSpec(80),))
    cluster = Cluster.of([], [API, WEB], policies=[NetworkPolicy("shop", "api", sel(app="api"), None, (rule,))])
    engine = SmtEngine(cluster)
    ev = Evaluator(cluster)
    web = expectations.symbolic_exempt(ev, resolve(ev, "shop/web"))
    assert web == Pods(namespace="shop", pod_selector=sel(app="web"), host_network=False)
    allowed = engine.find(Pods(), 0, TCP80, allowed=True)
    assert isinstance(allowed, Witness)
    assert engine.find(Pods(), 0, TCP80, allowed=True, exempt=[web]) is None
    blocked = engine.find(1, 0, TCP443, allowed=False)
    assert isinstance(blocked, Witness) and not isinstance(blocked, Undecided) and blocked.port == 443
