"""Blocking rules (NP501-NP506): real blockages are found, deny-all and deliberate shapes stay silent."""

from __future__ import annotations

import ipaddress
from typing import Any

from policylint.engine.flow import Assumptions
from policylint.findings import Hit, Span
from policylint.model import (
    ContainerPort,
    Direction,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    Peer,
    PortSpec,
    Protocol,
    Rule,
    Service,
    ServicePort,
    Workload,
)
from policylint.model.cluster import Cluster
from policylint.registry import default_registry
from policylint.rulespec import RuleContext

IN, EG = Direction.INGRESS, Direction.EGRESS
UDP, TCP = Protocol.UDP, Protocol.TCP
KUBE_DNS = LabelSelector((("k8s-app", "kube-dns"),))
SYSTEM = LabelSelector((("kubernetes.io/metadata.name", "kube-system"),))


def span(line: int) -> Span:
    return Span("t.yaml", line, 1)


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())))


def pod(ns: str, name: str, labels: dict[str, str], ports: tuple[ContainerPort, ...] = ()) -> Workload:
    return Workload(ns, name, "Deployment", labels, ports, span=span(1))


def rule(direction: Direction, *peers: Peer, ports: tuple[PortSpec, ...] | None = None, index: int = 0) -> Rule:
    return Rule(direction, index, peers or None, ports, span(10 + index))


def policy(
    name: str,
    selector: LabelSelector,
    ingress: tuple[Rule, ...] | None = None,
    egress: tuple[Rule, ...] | None = None,
    types: tuple[Direction, ...] | None = None,
    ns: str = "shop",
) -> NetworkPolicy:
    return NetworkPolicy(ns, name, selector, types, ingress, egress, span=span(100), egress_span=span(200))


def hits(rule_id: str, cluster: Cluster, **options: Any) -> list[Hit]:
    spec = default_registry().get(rule_id)
    assert spec is not None
    ctx = RuleContext(cluster, options={**spec.defaults, **options}, assumptions=Assumptions())
    if spec.scope == "policy":
        return [h for p in cluster.policies for h in spec.check(ctx.for_policy(p))]
    return list(spec.check(ctx))


WEB = pod("shop", "web", {"app": "web"})
DB = pod("shop", "db", {"app": "db"}, (ContainerPort(5432),))
TO_DB = rule(EG, Peer(pod_selector=sel(app="db")), ports=(PortSpec(5432),))
DENY_EGRESS = policy("deny", LabelSelector(), types=(EG,))


def dns_rule(*ports: PortSpec) -> Rule:
    return rule(EG, Peer(pod_selector=KUBE_DNS, namespace_selector=SYSTEM), ports=ports, index=1)


# -- NP501 dns-egress-blocked --------------------------------------------------------------------


def test_missing_dns_rule_is_reported_with_a_synthetic_dns_pod() -> None:
    web = policy("web", sel(app="web"), egress=(TO_DB,), types=(EG,))
    found = hits("NP501", Cluster.of([], [WEB, DB], policies=[DENY_EGRESS, web]))
    assert len(found) == 1 and "shop/web[Deployment], egress-isolated by shop/deny" in found[0].message
    assert "on UDP 53 and TCP 53" in found[0].message


def test_udp_only_is_reported_for_tcp() -> None:
    web = policy("web", sel(app="web"), egress=(TO_DB, dns_rule(PortSpec(53, protocol=UDP))), types=(EG,))
    found = hits("NP501", Cluster.of([], [WEB, DB], policies=[web]))
    assert len(found) == 1 and found[0].message.endswith("allow egress to it on TCP 53")


def test_deny_all_egress_without_rules_is_silent() -> None:
    assert hits("NP501", Cluster.of([], [WEB, DB], policies=[DENY_EGRESS])) == []


def test_dns_workload_in_input_with_its_own_ingress_isolation_counts() -> None:
    dns = pod("kube-system", "coredns", {"k8s-app": "kube-dns"})
    web = policy("web", sel(app="web"), egress=(dns_rule(PortSpec(53, protocol=UDP), PortSpec(53)),), types=(EG,))
    assert hits("NP501", Cluster.of([], [WEB, dns], policies=[web])) == []
    locked = policy("dns", LabelSelector(), ingress=(), types=(IN,), ns="kube-system")
    found = hits("NP501", Cluster.of([], [WEB, dns], policies=[web, locked]))
    assert len(found) == 1 and "kube-system/coredns" not in found[0].message


def test_node_local_dns_address_is_enough_when_configured() -> None:
    net = ipaddress.ip_network("169.254.20.10/32")
    to_cache = rule(EG, Peer(ip_block=IPBlock(str(net), network=net)), ports=(PortSpec(53, protocol=UDP), PortSpec(53)))
    web = policy("web", sel(app="web"), egress=(TO_DB, to_cache), types=(EG,))
    cluster = Cluster.of([], [WEB, DB], policies=[web])
    assert len(hits("NP501", cluster)) == 1
    assert hits("NP501", cluster, node_local_address="169.254.20.10") == []


def test_custom_dns_selector_and_namespace() -> None:
    dns = pod("dns", "coredns", {"app": "coredns"})
    to_dns = rule(
        EG,
        Peer(namespace_selector=sel(**{"kubernetes.io/metadata.name": "dns"})),
        ports=(PortSpec(53, protocol=UDP), PortSpec(53)),
    )
    web = policy("web", sel(app="web"), egress=(to_dns,), types=(EG,))
    cluster = Cluster.of([], [WEB, dns], policies=[web])
    assert len(hits("NP501", cluster)) == 1
    assert hits("NP501", cluster, namespace="dns", selector={"app": "coredns"}) == []


# -- NP502 service-unreachable -------------------------------------------------------------------


def svc(name: str, selector: dict[str, str] | None, *ports: ServicePort) -> Service:
    return Service("shop", name, selector=selector, ports=ports, span=span(300))


def test_service_whose_backends_admit_only_the_wrong_port() -> None:
    api = pod("shop", "api", {"app": "api"})
    service = svc("api", {"app": "api"}, ServicePort(80, 8080, span=span(301)))
    only_80 = policy("api", sel(app="api"), ingress=(rule(IN, ports=(PortSpec(80),)),))
    found = hits("NP502", Cluster.of([], [api], [service], [only_80]))
    assert len(found) == 1 and found[0].span.line == 301 and "TCP 80 (target port 8080)" in found[0].message


def test_sources_blocked_by_their_own_egress_make_the_service_unreachable() -> None:
    api = pod("shop", "api", {"app": "api"})
    service = svc("api", {"app": "api"}, ServicePort(80, span=span(301)))
    from_web = policy("api", sel(app="api"), ingress=(rule(IN, Peer(pod_selector=sel(app="web"))),))
    cluster = Cluster.of([], [api, WEB], [service], [from_web])
    assert hits("NP502", cluster) == []
    assert len(hits("NP502", Cluster.of([], [api, WEB], [service], [from_web, DENY_EGRESS]))) == 1


def test_services_without_selector_or_backends_or_isolation_are_silent() -> None:
    api = pod("shop", "api", {"app": "api"})
    services = [
        svc("ext", None, ServicePort(80)),
        svc("ghost", {"app": "ghost"}, ServicePort(80)),
        svc("api", {"app": "api"}, ServicePort(80, "http")),
    ]
    assert hits("NP502", Cluster.of([], [api], services, [policy("api", sel(app="api"), ingress=())])) == []


# -- NP503 egress-uses-service-port --------------------------------------------------------------


def test_egress_to_service_port_instead_of_target_port() -> None:
    api = pod("shop", "api", {"app": "api"}, (ContainerPort(8080, name="http"),))
    service = svc("api", {"app": "api"}, ServicePort(80, 8080))
    port = PortSpec(80, span=span(50))
    web = policy(
        "web", sel(app="web"), egress=(rule(EG, Peer(pod_selector=sel(app="api")), ports=(port,)),), types=(EG,)
    )
    found = hits("NP503", Cluster.of([], [api, WEB], [service], [web]))
    assert len(found) == 1 and found[0].span.line == 50 and "allow TCP 8080" in found[0].message
    named = policy(
        "web",
        sel(app="web"),
        types=(EG,),
        egress=(rule(EG, Peer(pod_selector=sel(app="api")), ports=(port, PortSpec("http"))),),
    )
    assert hits("NP503", Cluster.of([], [api, WEB], [service], [named])) == []


def test_egress_to_other_pods_on_port_80_is_silent() -> None:
    api = pod("shop", "api", {"app": "api"})
    service = svc("api", {"app": "api"}, ServicePort(80, 8080))
    web = policy(
        "web", sel(app="web"), egress=(rule(EG, Peer(pod_selector=sel(app="db")), ports=(PortSpec(80),)),), types=(EG,)
    )
    assert hits("NP503", Cluster.of([], [api, WEB, DB], [service], [web])) == []


# -- NP504, NP505, NP506 -------------------------------------------------------------------------


def test_empty_egress_without_policy_types() -> None:
    bad = policy("deny", LabelSelector(), egress=())
    found = hits("NP504", Cluster.of([], [], policies=[bad]))
    assert len(found) == 1 and "add policyTypes: [Egress]" in found[0].message and found[0].span.line == 200
    written = policy("deny", LabelSelector(), egress=(), types=(EG,))
    absent = policy("deny", LabelSelector())
    assert hits("NP504", Cluster.of([], [], policies=[written, absent])) == []


def test_egress_only_policy_reported_only_when_it_alone_isolates_a_service_backend() -> None:
    service = svc("web", {"app": "web"}, ServicePort(80))
    egress_only = policy("web-egress", sel(app="web"), egress=(TO_DB,))
    found = hits("NP505", Cluster.of([], [WEB], [service], [egress_only]))
    assert len(found) == 1 and "behind Service shop/web" in found[0].message
    ingress_too = policy("web-in", sel(app="web"), ingress=(rule(IN),))
    assert hits("NP505", Cluster.of([], [WEB], [service], [egress_only, ingress_too])) == []
    assert hits("NP505", Cluster.of([], [WEB], [], [egress_only])) == []


def test_namespace_only_then_pod_only_peer_shows_both_readings() -> None:
    r = rule(IN, Peer(namespace_selector=sel(team="ops")), Peer(pod_selector=sel(app="agent"), span=span(7)))
    found = hits("NP506", Cluster.of([], [], policies=[policy("api", sel(app="api"), ingress=(r,))]))
    assert len(found) == 1 and found[0].span.line == 7
    assert "(OR)" in found[0].message and "(AND)" in found[0].message


def test_one_peer_with_both_selectors_or_a_local_all_pods_peer_is_silent() -> None:
    both = rule(IN, Peer(pod_selector=sel(app="agent"), namespace_selector=sel(team="ops")))
    local = rule(IN, Peer(namespace_selector=sel(team="ops")), Peer(pod_selector=LabelSelector()))
    apart = rule(
        IN,
        Peer(namespace_selector=sel(team="ops")),
        Peer(ip_block=IPBlock("10.0.0.0/8")),
        Peer(pod_selector=sel(app="agent")),
    )
    p = policy("api", sel(app="api"), ingress=(both, local, apart))
    assert hits("NP506", Cluster.of([], [], policies=[p])) == []
