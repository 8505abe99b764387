"""Hand-written layered cases, one or more per tier kind, each citing the clause it checks.

Pods: x (namespace a, app=x) and y (namespace b, app=y, named port http=8080), see tier_cases.py.
"""

from __future__ import annotations

import ipaddress

from tier_cases import EGRESS, INGRESS, app, ns_pods, policy, rule, tcp, tier, two_pods

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ALL, ConnSet
from policylint.engine.flow import Flow
from policylint.engine.smt import SmtEngine
from policylint.model import Cluster, Direction, LabelSelector, NetworkPolicy, PortSpec, Protocol, Rule
from policylint.model.compile_network_policy import network_policy_tier_policies
from policylint.model.rule_form import (
    ADMIN_RANK,
    BASELINE_RANK,
    NETWORK_POLICY_RANK,
    Action,
    Combine,
    Match,
    PodScope,
)
from policylint.model.selector import EVERYTHING

X, Y = 0, 1
TCP = Protocol.TCP
OUTSIDE = ipaddress.ip_address("198.51.100.7")
DENY_ALL_INGRESS_Y = NetworkPolicy("b", "deny-all", LabelSelector((("app", "y"),)), (Direction.INGRESS,), ())


def allows(cluster: Cluster, port: int, src: int = X, dst: int = Y) -> bool:
    """The concrete verdict, checked against the SMT one (nested if-then-else over the tiers)."""
    flow = Flow(src, dst, TCP, port)
    concrete = Evaluator(cluster).verdict(flow).allowed
    assert SmtEngine(cluster).verdict(flow) == concrete, flow
    return concrete


def admin(*policies: object, combine: Combine = Combine.FIRST_MATCH) -> object:
    return tier("Admin", combine, ADMIN_RANK, *policies)  # type: ignore[arg-type]


# ClusterNetworkPolicy (https://network-policy-api.sigs.k8s.io/reference/spec/): Admin tier rules
# are evaluated before NetworkPolicy; the first matching rule decides; Deny is final.
def test_admin_deny_decides_before_network_policy() -> None:
    deny = policy("deny-db", (ns_pods("a"),), (rule(EGRESS, Action.DENY, (Match(pods=ns_pods("b")),), (tcp(5432),)),))
    allow_all = NetworkPolicy("a", "allow-all", EVERYTHING, (Direction.EGRESS,), None, (Rule(EGRESS, 0),))
    cluster = two_pods(admin(deny), policies=(allow_all,))  # type: ignore[arg-type]
    assert not allows(cluster, 5432)
    assert allows(cluster, 80)
    v = Evaluator(cluster).verdict(Flow(X, Y, TCP, 5432))
    assert v.egress.decision is not None and v.egress.decision.tier == "Admin"
    assert v.egress.decision.origin is not None and v.egress.decision.origin.name == "p"
    assert not v.egress.decision.consulted_network_policy


# Same spec: Accept in the Admin tier is final, so it overrides a NetworkPolicy that isolates.
def test_admin_accept_overrides_network_policy_isolation() -> None:
    accept = policy("accept-web", (ns_pods("b"),), (rule(INGRESS, Action.ALLOW, (Match(pods=ns_pods("a")),),
                                                          (tcp(80),)),))
    cluster = two_pods(admin(accept), policies=(DENY_ALL_INGRESS_Y,))
    assert allows(cluster, 80)
    assert not allows(cluster, 81)


# Same spec: Pass skips the rest of the Admin tier; NetworkPolicy, then Baseline, decide.
def test_admin_pass_hands_down_to_network_policy_then_baseline() -> None:
    pass_all = policy("pass", (ns_pods("b"),), (rule(INGRESS, Action.PASS, ports=(tcp(80),)),
                                                rule(INGRESS, Action.ALLOW, index=1)))
    base_deny = policy("base", (ns_pods("b"),), (rule(INGRESS, Action.DENY, tier="Baseline"),), tier="Baseline")
    baseline = tier("Baseline", Combine.FIRST_MATCH, BASELINE_RANK, base_deny)
    cluster = two_pods(admin(pass_all), baseline)
    assert not allows(cluster, 80)  # passed, no NetworkPolicy isolates y, baseline denies
    assert allows(cluster, 81)  # the Admin Allow after the Pass decides 81
    v = Evaluator(cluster).verdict(Flow(X, Y, TCP, 80))
    d = v.ingress.decision
    assert d is not None and d.tier == "Baseline" and [o.name for o in d.passed] == ["p"]
    assert d.consulted_network_policy
    isolated = two_pods(admin(pass_all), baseline, policies=(DENY_ALL_INGRESS_Y,))
    assert not allows(isolated, 80)
    d2 = Evaluator(isolated).verdict(Flow(X, Y, TCP, 80)).ingress.decision
    assert d2 is not None and d2.network_policy


# Same spec: subjects are selected by priority ascending; the lower number wins.
def test_lower_priority_number_decides_first() -> None:
    deny = policy("deny", (ns_pods("b"),), (rule(INGRESS, Action.DENY, policy="deny"),), priority=20)
    allow = policy("allow", (ns_pods("b"),), (rule(INGRESS, Action.ALLOW, policy="allow"),), priority=5)
    assert allows(two_pods(admin(deny, allow)), 80)
    assert not allows(two_pods(admin(policy("deny", (ns_pods("b"),), (rule(INGRESS, Action.DENY),), priority=1),
                                     allow)), 80)


# Calico tiers (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy):
# Log goes on, a tier that selects the endpoint but matches nothing ends in an implicit Deny,
# and the default tier holds Kubernetes NetworkPolicies at order 1000.
def test_calico_like_tier_default_deny_and_log() -> None:
    log_then_allow = policy("web", (app("y"),), (rule(INGRESS, Action.LOG), rule(INGRESS, Action.ALLOW,
                                                                                   ports=(tcp(80),), index=1)),
                            directions=(INGRESS,), tier="security")
    security = tier("security", Combine.FIRST_MATCH, 100, log_then_allow, default=Action.DENY)
    assert allows(two_pods(security), 80)
    assert not allows(two_pods(security), 443)
    assert allows(two_pods(security), 443, src=Y, dst=X)  # x is not selected: falls through


def test_network_policy_compiled_into_a_first_match_tier_keeps_its_meaning() -> None:
    allow_80 = NetworkPolicy("b", "web", EVERYTHING, (Direction.INGRESS,),
                             (Rule(INGRESS, 0, ports=(PortSpec(80),)),))
    compiled = network_policy_tier_policies([allow_80], tier="default", order=1000)
    default = tier("default", Combine.FIRST_MATCH, NETWORK_POLICY_RANK, *compiled, default=Action.DENY,
                   holds_network_policy=True)
    cluster = two_pods(default, policies=(allow_80,))
    ev = Evaluator(cluster)
    assert ev.allowed_conns(X, Y) == ConnSet.single(TCP, 80)
    assert ev.allowed_conns(Y, X) == ALL


# Cilium deny policies (https://docs.cilium.io/en/stable/security/policy/language/#deny-policies):
# a deny takes precedence over every allow; selecting an endpoint with rules of a direction puts
# it in default deny for that direction.
def test_union_minus_deny_deny_wins_over_allow() -> None:
    allow = policy("allow", (app("y"),), (rule(INGRESS, Action.ALLOW, ports=(tcp(1, 1000),)),), directions=(INGRESS,))
    deny = policy("deny", (app("y"),), (rule(INGRESS, Action.DENY, ports=(tcp(443),)),), directions=())
    cilium = tier("cilium", Combine.UNION_MINUS_DENY, NETWORK_POLICY_RANK, allow, deny, holds_network_policy=True)
    ev = Evaluator(two_pods(cilium))
    tcp_ok = ev.allowed_conns(X, Y)
    assert tcp_ok == ConnSet({TCP: ((1, 442), (444, 1000))})
    only_deny = tier("cilium", Combine.UNION_MINUS_DENY, NETWORK_POLICY_RANK, deny, holds_network_policy=True)
    assert Evaluator(two_pods(only_deny)).allowed_conns(X, Y) == ALL - ConnSet.single(TCP, 443)


def test_named_ports_resolve_on_the_destination_and_not_ports_subtract() -> None:
    deny = policy("deny", (ns_pods("a"),), (rule(EGRESS, Action.DENY, ports=(PortSpec("http"),)),))
    assert not allows(two_pods(admin(deny)), 8080)
    assert allows(two_pods(admin(deny)), 8080, src=X, dst=X)  # self traffic is always allowed
    almost = policy("almost", (ns_pods("a"),), (rule(EGRESS, Action.DENY, ports=(tcp(1, 65535),),
                                                     not_ports=(tcp(53),)),))
    assert Evaluator(two_pods(admin(almost))).allowed_conns(X, Y) == ALL - ConnSet({TCP: ((1, 52), (54, 65535))})


# ClusterNetworkPolicy networks match pod addresses too (spec: "networks"); manifests carry no
# pod IPs, so only a whole address family is known to contain every pod.
def test_networks_whole_family_cuts_pods_and_external() -> None:
    from policylint.model import IPBlock

    net = ipaddress.ip_network("0.0.0.0/0")
    everything = Match(networks=(IPBlock("0.0.0.0/0", network=net),), networks_match_pods=True)
    deny = policy("deny", (ns_pods("a"),), (rule(EGRESS, Action.DENY, (everything,)),))
    ev = Evaluator(two_pods(admin(deny)))
    assert not ev.allowed_conns(X, Y)
    assert not ev.allowed_conns(X, OUTSIDE)
    narrow = Match(networks=(IPBlock("198.51.100.0/24", network=ipaddress.ip_network("198.51.100.0/24")),),
                   networks_match_pods=True)
    ev2 = Evaluator(two_pods(admin(policy("n", (ns_pods("a"),), (rule(EGRESS, Action.DENY, (narrow,)),)))))
    assert ev2.allowed_conns(X, Y) == ALL
    assert not ev2.allowed_conns(X, OUTSIDE)
    assert ev2.allowed_conns(X, ipaddress.ip_address("203.0.113.1")) == ALL


def test_unresolved_peers_match_nothing_and_are_named() -> None:
    dns = Match(unresolved=("domainNames: example.com",))
    deny = policy("deny", (ns_pods("a"),), (rule(EGRESS, Action.DENY, (dns,)),))
    ev = Evaluator(two_pods(admin(deny)))
    v = ev.verdict(Flow(X, OUTSIDE, TCP, 443))
    assert v.allowed
    assert any("example.com" in n for n in v.egress.notes)


def test_host_network_pods_are_never_subjects() -> None:
    from policylint.model import Namespace, Workload

    host = Workload("a", "h", "Pod", {"app": "x"}, host_network=True)
    y = Workload("b", "y", "Pod", {"app": "y"})
    deny = policy("deny", (ns_pods("a"),), (rule(EGRESS, Action.DENY),))
    cluster = Cluster.of([Namespace("a"), Namespace("b")], [host, y], tiers=(admin(deny),))  # type: ignore[arg-type]
    assert Evaluator(cluster).allowed_conns(0, 1) == ALL


def test_matrix_sees_tiers() -> None:
    from policylint.engine.matrix import External, compute_matrix

    deny = policy("deny", (PodScope(EVERYTHING),), (rule(EGRESS, Action.DENY),))
    m = compute_matrix(Evaluator(two_pods(admin(deny))))
    assert not [c for c in m.connections if isinstance(c.dst, External) or c.src == X or c.src == Y]
