"""The SMT engine on small hand-computed examples: one test per clause a user relies on."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions, Flow
from policylint.engine.smt import (
    Addresses,
    AnyEndpoint,
    EndpointSpec,
    Pods,
    SmtEngine,
    SyntheticPod,
    Witness,
    verify_uncovered,
    verify_witness,
)
from policylint.model import (
    Cluster,
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
    Workload,
)

TCP, UDP = Protocol.TCP, Protocol.UDP
WEB, DB, CLI, HOST = 0, 1, 2, 3


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())))


def block(cidr: str, *excepts: str) -> Peer:
    net = ipaddress.ip_network(cidr)
    return Peer(ip_block=IPBlock(cidr, excepts, net, tuple(ipaddress.ip_network(e) for e in excepts)))


Types = tuple[Direction, ...] | None


def ingress(name: str, target: LabelSelector, *rules: Rule, types: Types = None) -> NetworkPolicy:
    """A policy in shop; rule indices are set to their positions, as the model builder does."""
    indexed = tuple(dataclasses.replace(r, index=i) for i, r in enumerate(rules))
    return NetworkPolicy("shop", name, target, types, ingress=indexed)


def rule(peers: tuple[Peer, ...] | None = None, ports: tuple[PortSpec, ...] | None = None, i: int = 0) -> Rule:
    return Rule(Direction.INGRESS, i, peers, ports)


def cluster(*policies: NetworkPolicy) -> Cluster:
    return Cluster.of(
        [Namespace("shop", {"team": "x"}), Namespace("tools", {})],
        [
            Workload("shop", "web", "Deployment", {"app": "web"}),
            Workload("shop", "db", "Deployment", {"app": "db"}, (ContainerPort(5432, TCP, "pg"),)),
            Workload("tools", "cli", "Deployment", {"app": "web"}),
            Workload("tools", "agent", "DaemonSet", {"app": "db"}, host_network=True),
        ],
        (),
        policies,
    )


DB_FROM_WEB = ingress("db", sel(app="db"), rule((Peer(pod_selector=sel(app="web")),), (PortSpec("pg"),)))


def test_named_port_is_resolved_on_the_destination_pod() -> None:
    smt = SmtEngine(cluster(DB_FROM_WEB))
    assert smt.verdict(Flow(WEB, DB, TCP, 5432))
    assert not smt.verdict(Flow(WEB, DB, TCP, 5433))
    assert not smt.verdict(Flow(WEB, DB, UDP, 5432))
    assert not smt.verdict(Flow(CLI, DB, TCP, 5432))  # a bare podSelector means the policy's namespace


def test_egress_only_rules_without_policy_types_still_isolate_ingress() -> None:
    pol = NetworkPolicy("shop", "e", sel(app="web"), None, egress=(Rule(Direction.EGRESS, 0),))
    smt = SmtEngine(cluster(pol))
    assert not smt.verdict(Flow(DB, WEB, TCP, 80))
    assert smt.verdict(Flow(WEB, DB, TCP, 80))


def test_namespace_and_pod_selector_in_one_peer_are_anded() -> None:
    both = Peer(pod_selector=sel(app="web"), namespace_selector=sel(team="x"))
    smt = SmtEngine(cluster(ingress("db", sel(app="db"), rule((both,)))))
    assert smt.verdict(Flow(WEB, DB, TCP, 1))
    assert not smt.verdict(Flow(CLI, DB, TCP, 1))  # app=web, but its namespace lacks team=x


def test_ip_block_except_edges_and_families() -> None:
    smt = SmtEngine(cluster(ingress("db", sel(app="db"), rule((block("10.0.0.0/16", "10.0.1.0/24"),)))))
    for address, allowed in [("10.0.0.255", True), ("10.0.1.0", False), ("10.0.1.255", False), ("10.0.2.0", True),
                             ("10.1.0.0", False), ("::a00:1", False)]:
        assert smt.verdict(Flow(ipaddress.ip_address(address), DB, TCP, 80)) is allowed, address


def test_host_network_pods_are_neither_selected_nor_matched_unless_assumed() -> None:
    deny = ingress("deny", LabelSelector(), types=(Direction.INGRESS,))
    open_db = NetworkPolicy("tools", "x", LabelSelector(), (Direction.INGRESS,))
    c = cluster(deny, open_db)
    assert SmtEngine(c).verdict(Flow(WEB, HOST, TCP, 80))  # not selected: unisolated
    assert not SmtEngine(c, Assumptions(host_network_selectable=True)).verdict(Flow(WEB, HOST, TCP, 80))


def test_witness_invents_a_pod_in_a_new_namespace_and_the_concrete_evaluator_agrees() -> None:
    pol = ingress("db", sel(app="db"), rule((Peer(namespace_selector=sel(team="y")),), (PortSpec(5432),)))
    c = cluster(pol)
    smt = SmtEngine(c)
    w = smt.witness(Pods(namespace_selector=sel(team="y")), DB, ConnSet.single(TCP, 5432))
    assert isinstance(w, Witness) and isinstance(w.src, SyntheticPod)
    assert w.src.new_namespace and w.src.namespace_labels["team"] == "y"
    assert verify_witness(c, w)
    assert smt.witness(Pods(namespace="tools"), DB) is None


def test_witness_addresses_and_any_endpoint() -> None:
    c = cluster(ingress("db", sel(app="db"), rule((block("10.0.0.0/16", "10.0.1.0/24"),))))
    smt = SmtEngine(c)
    w = smt.witness(Addresses(ipaddress.ip_network("10.0.1.0/24")), DB)
    assert w is None
    w = smt.witness(AnyEndpoint(), DB, ConnSet.single(UDP, 53))
    assert isinstance(w, Witness) and verify_witness(c, w)


WEB_ALL = rule((Peer(pod_selector=sel(app="web")),))
SHOP_ALL = rule((Peer(namespace_selector=sel(**{"kubernetes.io/metadata.name": "shop"})),), i=1)


@pytest.mark.parametrize(
    ("subject", "others", "covered"),
    [
        (WEB_ALL, [SHOP_ALL], True),  # every pod of shop includes app=web pods of shop
        (SHOP_ALL, [WEB_ALL], False),
        (rule(ports=(PortSpec(80, 90),)), [rule(ports=(PortSpec(80),)), rule(ports=(PortSpec(81, 90),))], True),
        (rule(ports=(PortSpec(80, 90),)), [rule(ports=(PortSpec(80, 89),))], False),
        (rule(ports=(PortSpec("pg"),)), [rule(ports=(PortSpec(5432),))], False),  # pg may name another number
        (rule((block("10.0.0.0/24"),)), [rule((block("10.0.0.0/16", "10.1.0.0/24"),))], True),
        (rule((block("10.0.0.0/24"),)), [rule((block("10.0.0.0/16", "10.0.0.128/25"),))], False),
    ],
)
def test_rule_covered_by_union_of_other_rules(subject: Rule, others: list[Rule], covered: bool) -> None:
    pol = ingress("a", sel(app="db"), subject, *others)
    c = cluster(pol)
    smt = SmtEngine(c)
    assert pol.ingress is not None
    subject, pairs = pol.ingress[0], [(pol, r) for r in pol.ingress[1:]]
    assert smt.rule_covered(pol, subject, pairs) is covered
    witness = smt.uncovered(pol, subject, pairs)
    if witness is not None:
        assert isinstance(witness, Witness) and verify_uncovered(c, witness, (pol, subject), pairs)


def test_a_rule_of_a_policy_selecting_other_pods_covers_nothing_of_ours() -> None:
    mine = ingress("a", sel(app="db"), WEB_ALL)
    everything = ingress("b", sel(app="web"), rule())
    wide = ingress("c", LabelSelector(), rule())
    smt = SmtEngine(cluster(mine, everything, wide))
    assert smt.rule_covered(mine, WEB_ALL, [(everything, everything.ingress[0])]) is False  # type: ignore[index]
    assert smt.rule_covered(mine, WEB_ALL, [(wide, wide.ingress[0])]) is True  # type: ignore[index]


def test_rules_of_a_direction_not_in_policy_types_cover_nothing() -> None:
    mine = ingress("a", sel(app="db"), WEB_ALL)
    ignored = ingress("b", LabelSelector(), rule(), types=(Direction.EGRESS,))
    smt = SmtEngine(cluster(mine, ignored))
    assert smt.rule_covered(mine, WEB_ALL, [(ignored, ignored.ingress[0])]) is False  # type: ignore[index]


def test_witnesses_do_not_depend_on_input_order() -> None:
    pols = [
        ingress("db", sel(app="db"), rule((Peer(namespace_selector=sel(team="y")),), (PortSpec("pg"),))),
        ingress("web", sel(app="web"), rule((block("10.0.0.0/8", "10.1.0.0/16"),), (PortSpec(80, 90),))),
        NetworkPolicy("tools", "all", LabelSelector(), None, ingress=(rule(),)),
    ]
    first = cluster(*pols)
    flipped = Cluster.of(list(reversed(first.namespaces)), first.workloads, (), list(reversed(pols)))
    questions: list[tuple[EndpointSpec, EndpointSpec]] = [
        (AnyEndpoint(), DB),
        (AnyEndpoint(), WEB),
        (Pods(), AnyEndpoint()),
    ]
    for src, dst in questions:
        assert SmtEngine(first).witness(src, dst) == SmtEngine(flipped).witness(src, dst)


def test_find_blocked_flows_and_exemptions() -> None:
    c = cluster(DB_FROM_WEB)
    smt = SmtEngine(c)
    blocked = smt.find(AnyEndpoint(), DB, ConnSet.single(TCP, 5432), allowed=False)
    assert isinstance(blocked, Witness) and not verify_witness(c, blocked)
    # Exempting every pod labelled app=web in shop leaves no allowed source on the pg port.
    web_in_shop = Pods(namespace="shop", pod_selector=sel(app="web"))
    assert smt.find(AnyEndpoint(), DB, ConnSet.single(TCP, 5432), exempt=[web_in_shop]) is None
    assert isinstance(smt.find(AnyEndpoint(), DB, ConnSet.single(TCP, 5432)), Witness)
