"""Selection and reference rules (NP201-NP208): the false positives the issue warns about stay silent."""

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
    Namespace,
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


def span(line: int) -> Span:
    return Span("t.yaml", line, 1)


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())), span=span(90))


def pod(
    ns: str, name: str, labels: dict[str, str], ports: tuple[ContainerPort, ...] = (), host: bool = False
) -> Workload:
    return Workload(ns, name, "Deployment", labels, ports, host_network=host, span=span(1))


def policy(
    ns: str,
    pods: LabelSelector,
    ingress: tuple[Rule, ...] | None = None,
    egress: tuple[Rule, ...] | None = None,
    types: tuple[Direction, ...] | None = None,
) -> NetworkPolicy:
    return NetworkPolicy(ns, "p", pods, types, ingress, egress, span=span(2))


def rule(direction: Direction, *peers: Peer, ports: tuple[PortSpec, ...] | None = None) -> Rule:
    return Rule(direction, 0, peers or None, ports, span(3))


def hits(rule_id: str, cluster: Cluster, assumptions: Assumptions | None = None, **options: Any) -> list[Hit]:
    spec = default_registry().get(rule_id)
    assert spec is not None
    ctx = RuleContext(cluster, options={**spec.defaults, **options}, assumptions=assumptions or Assumptions())
    if spec.scope == "policy":
        return [h for p in cluster.policies for h in spec.check(ctx.for_policy(p))]
    return list(spec.check(ctx))


WEB = pod("shop", "frontend", {"app": "frontend"}, (ContainerPort(8080, name="http"),))


def test_np201_suggests_the_near_label_and_ignores_empty_selectors_and_unknown_namespaces() -> None:
    typo = policy("shop", sel(app="fronend"))
    deny_all = policy("payments", LabelSelector())  # empty selector, namespace without workloads
    elsewhere = policy("billing", sel(app="invoices"))  # no workload of billing in the input
    found = hits("NP201", Cluster.of([], [WEB], policies=[typo, deny_all, elsewhere]))
    # Said of the input only (a pod labelled app=fronend could be created elsewhere); the rule's
    # severity stands, since the input shows the near miss.
    assert [(h.message, h.severity) for h in found] == [
        (
            "spec.podSelector {app=fronend} of shop/p matches no workload of the input in namespace shop, "
            "only pods outside it; did you mean `app: frontend`?",
            None,
        )
    ]


def test_np202_is_silent_for_empty_selectors_undefined_namespaces_and_deny_all() -> None:
    peers = (
        Peer(pod_selector=LabelSelector(), span=span(4)),
        Peer(namespace_selector=sel(**{"kubernetes.io/metadata.name": "payments"}), pod_selector=sel(app="x")),
    )
    cluster = Cluster.of(
        [],
        [WEB],
        policies=[
            policy("shop", sel(app="frontend"), ingress=(rule(IN, *peers),)),
            policy("shop", LabelSelector(), ingress=(), egress=(), types=(IN, EG)),  # deny-all
            policy("empty-ns", sel(app="x"), ingress=(rule(IN, Peer(pod_selector=LabelSelector())),)),
        ],
    )
    assert hits("NP202", cluster) == []


def test_np202_flags_a_namespace_name_typo_only_when_a_near_namespace_exists() -> None:
    near = Peer(namespace_selector=sel(**{"kubernetes.io/metadata.name": "shopp"}), span=span(5))
    far = Peer(namespace_selector=sel(**{"kubernetes.io/metadata.name": "payments"}), span=span(6))
    cluster = Cluster.of([], [WEB], policies=[policy("shop", sel(app="frontend"), ingress=(rule(IN, near, far),))])
    found = hits("NP202", cluster)
    assert len(found) == 1 and "did you mean `kubernetes.io/metadata.name: shop`?" in found[0].message


def test_np203_needs_namespace_manifests_unless_the_value_is_a_namespace_name() -> None:
    by_name = Peer(namespace_selector=sel(name="kube-system"))
    by_team = Peer(namespace_selector=sel(team="data"))
    workloads = [WEB, pod("kube-system", "coredns", {"k8s-app": "kube-dns"})]
    cluster = Cluster.of(
        [], workloads, policies=[policy("shop", sel(app="frontend"), ingress=(rule(IN, by_name, by_team),))]
    )
    found = hits("NP203", cluster)  # no Namespace manifest: team labels are unknown, not absent
    assert len(found) == 1 and "use `kubernetes.io/metadata.name: kube-system`" in found[0].message


def test_np204_names_the_protocol_and_skips_rules_whose_pods_are_unknown() -> None:
    dns = pod("kube-system", "coredns", {"k8s-app": "kube-dns"}, (ContainerPort(53, Protocol.UDP, "dns"),))
    to_dns = Peer(namespace_selector=LabelSelector(), pod_selector=sel(**{"k8s-app": "kube-dns"}))
    tcp_dns = PortSpec("dns", span=span(7))
    cluster = Cluster.of(
        [],
        [WEB, dns],
        policies=[
            policy("shop", sel(app="frontend"), egress=(rule(EG, to_dns, ports=(tcp_dns,)),), types=(EG,)),
            policy("shop", sel(app="nothing"), ingress=(rule(IN, ports=(PortSpec("nope"),)),)),  # selects nothing
            policy(
                "shop",
                sel(app="frontend"),
                egress=(rule(EG, Peer(ip_block=IPBlock("10.0.0.0/8")), ports=(PortSpec("nope"),)),),
                types=(EG,),
            ),
        ],
    )
    found = hits("NP204", cluster)
    assert [h.span for h in found] == [span(7)]
    assert "it is defined for UDP: set `protocol: UDP`" in found[0].message


def test_np205_ignores_ingress_and_the_ipblocks_match_pods_assumption() -> None:
    block = Peer(ip_block=IPBlock("203.0.113.0/24", network=ipaddress.ip_network("203.0.113.0/24")))
    named = (PortSpec("https", span=span(8)),)
    cluster = Cluster.of(
        [],
        [WEB],
        policies=[
            policy(
                "shop",
                sel(app="frontend"),
                ingress=(rule(IN, block, ports=named),),
                egress=(rule(EG, block, ports=named),),
            ),
        ],
    )
    assert [h.span for h in hits("NP205", cluster)] == [span(8)]
    assert hits("NP205", cluster, Assumptions(ipblocks_match_pods=True)) == []


def test_np206_ignores_services_without_selector_and_namespaces_without_workloads() -> None:
    services = [
        Service("shop", "manual", selector=None, span=span(9)),
        Service("billing", "invoices", selector={"app": "invoices"}, span=span(10)),
        Service("shop", "web", selector={"app": "web"}, span=span(11), selector_span=span(12)),
    ]
    found = hits("NP206", Cluster.of([], [WEB], services))
    assert [h.span for h in found] == [span(12)]


def test_np207_numeric_target_ports_need_declared_ports_to_compare_with() -> None:
    bare = pod("shop", "worker", {"app": "worker"})  # declares no container port
    services = [
        Service("shop", "worker", selector={"app": "worker"}, ports=(ServicePort(80, 8080, span=span(13)),)),
        Service("shop", "web", selector={"app": "frontend"}, ports=(ServicePort(80, 8081, span=span(14)),)),
    ]
    cluster = Cluster.of([], [WEB, bare], services)
    assert [h.span for h in hits("NP207", cluster)] == [span(14)]
    assert hits("NP207", cluster, check_numeric=False) == []


def test_np208_skips_broad_peers_and_the_selectable_assumption() -> None:
    agent = pod("kube-system", "node-agent", {"app": "agent"}, host=True)
    broad = Peer(namespace_selector=LabelSelector(), pod_selector=LabelSelector())
    named = Peer(namespace_selector=LabelSelector(), pod_selector=sel(app="agent"), span=span(15))
    cluster = Cluster.of(
        [],
        [WEB, agent],
        policies=[
            policy("shop", sel(app="frontend"), egress=(rule(EG, broad, named),), types=(EG,)),
            policy("kube-system", LabelSelector(), ingress=()),  # a default deny that includes the agent
        ],
    )
    assert [h.span for h in hits("NP208", cluster)] == [span(15)]
    assert hits("NP208", cluster, Assumptions(host_network_selectable=True)) == []


def test_np201_and_np202_count_hostnetwork_workloads_as_matches() -> None:
    agent = pod("kube-system", "node-agent", {"app": "agent"}, host=True)
    cluster = Cluster.of([Namespace("kube-system")], [agent], policies=[policy("kube-system", sel(app="agent"))])
    assert hits("NP201", cluster) == []  # NP208 reports it instead
