"""Over-permissive rules (NP301-NP307): precise definitions, and the false positives that must stay silent."""

from __future__ import annotations

import ipaddress
from typing import Any

from policylint.engine.flow import Assumptions
from policylint.findings import Hit, Span
from policylint.model import (
    Direction,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    PortSpec,
    Protocol,
    Rule,
    Workload,
)
from policylint.model.cluster import Cluster
from policylint.registry import default_registry
from policylint.rulespec import RuleContext

IN, EG = Direction.INGRESS, Direction.EGRESS
EVERY_NS = Peer(namespace_selector=LabelSelector())


def span(line: int) -> Span:
    return Span("t.yaml", line, 1)


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())))


def block(cidr: str, *excepts: str) -> Peer:
    nets = tuple(ipaddress.ip_network(e) for e in excepts)
    return Peer(ip_block=IPBlock(cidr, excepts, ipaddress.ip_network(cidr), nets, span=span(50)))


def rule(direction: Direction, *peers: Peer, ports: tuple[PortSpec, ...] | None = None, line: int = 3) -> Rule:
    return Rule(direction, 0, peers, ports, span(line))


def policy(
    ingress: tuple[Rule, ...] | None = None,
    egress: tuple[Rule, ...] | None = None,
    types: tuple[Direction, ...] | None = None,
    pods: LabelSelector | None = None,
    ns: str = "shop",
) -> NetworkPolicy:
    return NetworkPolicy(ns, "p", pods if pods is not None else sel(app="api"), types, ingress, egress, span=span(2))


def pod(ns: str, name: str, host: bool = False, line: int = 1) -> Workload:
    return Workload(ns, name, "Deployment", {"app": name}, host_network=host, span=span(line))


def hits(rule_id: str, cluster: Cluster, assumptions: Assumptions | None = None, **options: Any) -> list[Hit]:
    spec = default_registry().get(rule_id)
    assert spec is not None
    ctx = RuleContext(cluster, options={**spec.defaults, **options}, assumptions=assumptions or Assumptions())
    if spec.scope == "policy":
        return [h for p in cluster.policies for h in spec.check(ctx.for_policy(p))]
    return list(spec.check(ctx))


def lines(found: list[Hit]) -> list[int]:
    return [h.span.line for h in found]


def test_np301_deny_all_and_rules_ignored_by_policy_types_are_silent() -> None:
    cluster = Cluster.of(
        [],
        [],
        policies=[
            policy(ingress=None),  # deny all ingress
            policy(ingress=(), types=(IN,)),
            policy(ingress=(Rule(IN, 0, None, None, span(3)),), types=(EG,)),  # ignored: Egress only
            policy(ingress=(Rule(IN, 0, (), None, span(4)),)),  # from: [] is every source
        ],
    )
    assert lines(hits("NP301", cluster)) == [4]


def test_np301_needs_every_pod_and_a_whole_family() -> None:
    internet_only = rule(IN, block("0.0.0.0/0"), line=5)
    almost = rule(IN, EVERY_NS, block("0.0.0.0/0", "10.0.0.0/8"), line=6)
    split = rule(IN, EVERY_NS, block("0.0.0.0/1"), block("128.0.0.0/1"), line=7)
    cluster = Cluster.of([], [], policies=[policy(ingress=(internet_only, almost, split))])
    assert lines(hits("NP301", cluster)) == [7]
    # Calico-like: a whole-family ipBlock also matches every pod.
    assert lines(hits("NP301", cluster, Assumptions(ipblocks_match_pods=True))) == [5, 7]


def test_np301_and_np302_exempt_ports() -> None:
    dns = (PortSpec(53, protocol=Protocol.UDP), PortSpec(53))
    cluster = Cluster.of(
        [],
        [],
        policies=[
            policy(
                ingress=(Rule(IN, 0, None, (PortSpec(443),), span(8)),),
                egress=(Rule(EG, 0, None, dns, span(9)), Rule(EG, 1, None, (PortSpec(53), PortSpec(443)), span(10))),
            )
        ],
    )
    assert lines(hits("NP302", cluster)) == [10]
    assert lines(hits("NP301", cluster)) == [8]
    assert hits("NP301", cluster, exempt_ports=[443]) == []


def test_np303_is_silent_when_a_pod_selector_narrows_the_namespaces() -> None:
    narrowed = Peer(namespace_selector=LabelSelector(), pod_selector=sel(app="prometheus"))
    empty_pods = Peer(namespace_selector=LabelSelector(), pod_selector=LabelSelector(), span=span(11))
    cluster = Cluster.of([], [], policies=[policy(ingress=(rule(IN, narrowed, empty_pods),))])
    assert lines(hits("NP303", cluster)) == [11]


def test_np304_own_namespace_and_named_pods_without_ports_are_not_broad() -> None:
    ns = [Namespace("a", {"env": "prod"}), Namespace("b", {"env": "prod"})]
    cluster = Cluster.of(
        ns,
        [],
        policies=[
            policy(
                ingress=(
                    rule(IN, Peer(pod_selector=LabelSelector()), line=12),
                    rule(IN, Peer(namespace_selector=sel(env="prod"), pod_selector=sel(app="x")), line=13),
                    rule(IN, block("10.0.0.0/8"), line=14),
                    rule(IN, block("10.0.0.0/7"), line=15),
                    rule(IN, Peer(namespace_selector=sel(env="prod")), line=16),
                )
            )
        ],
    )
    assert lines(hits("NP304", cluster)) == [15, 16]
    assert lines(hits("NP304", cluster, max_namespaces=2, min_prefix_v4=7)) == []


def test_np305_excepted_or_non_http_rules_are_silent_and_unisolated_is_opt_in() -> None:
    cluster = Cluster.of(
        [],
        [pod("shop", "api"), pod("shop", "worker", line=20), pod("shop", "agent", host=True)],
        policies=[
            policy(
                egress=(
                    rule(EG, block("0.0.0.0/0", "169.254.169.254/32"), line=17),
                    rule(EG, block("169.254.0.0/16"), ports=(PortSpec(53, protocol=Protocol.UDP),), line=18),
                    Rule(EG, 2, None, (PortSpec(80),), span(19)),
                )
            )
        ],
    )
    assert lines(hits("NP305", cluster)) == [19]
    assert lines(hits("NP305", cluster, include_unisolated=True)) == [19, 20]  # not api (isolated), not agent (host)


def test_np306_leaves_wholly_unprotected_namespaces_to_np307() -> None:
    workloads = [
        pod("shop", "api"),
        pod("shop", "worker", line=21),
        pod("data", "db", line=22),
        pod("shop", "agent", host=True, line=23),
    ]
    cluster = Cluster.of([], workloads, policies=[policy(ingress=())])  # isolates shop/api for ingress
    found = hits("NP306", cluster)
    assert lines(found) == [21] and "not isolated for Ingress:" in found[0].message
    assert lines(hits("NP306", cluster, only_protected_namespaces=False)) == [1, 21, 22]


def test_np307_counts_default_deny_with_allow_rules_and_points_at_the_first_object() -> None:
    allow_all_pods = policy(
        pods=LabelSelector(),
        ingress=(rule(IN, Peer(pod_selector=LabelSelector())),),
        egress=(rule(EG, Peer(pod_selector=LabelSelector())),),
    )
    cluster = Cluster.of(
        [Namespace("shop", span=span(30))],
        [pod("data", "db", line=31), pod("data", "cache", line=5), pod("kube-system", "dns")],
        policies=[allow_all_pods, policy(ns="only-policies", pods=sel(app="x"))],
    )
    found = hits("NP307", cluster)
    assert lines(found) == [5]  # data, at its first object; shop is covered; kube-system ignored
    assert "for Ingress and Egress" in found[0].message
