"""Redundancy rules (NP401, NP403, NP404): shadowing is proven for every possible pod, and the
false positives the issue warns about (deny-all policies, empty podSelector, namespaces) stay silent."""

from __future__ import annotations

import ipaddress
from typing import Any

from policylint.engine.flow import Assumptions
from policylint.engine.smt import Budget, SmtEngine
from policylint.findings import Hit, Span
from policylint.model import Direction, IPBlock, LabelSelector, NetworkPolicy, Peer, PortSpec, Rule, Workload
from policylint.model.cluster import Cluster
from policylint.registry import default_registry
from policylint.rulespec import Memo, RuleContext

IN, EG = Direction.INGRESS, Direction.EGRESS


def span(line: int) -> Span:
    return Span("t.yaml", line, 1)


def sel(**labels: str) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())))


def pod(ns: str, name: str, **labels: str) -> Workload:
    return Workload(ns, name, "Deployment", labels, span=span(1))


def pods(selector: LabelSelector, ns: LabelSelector | None = None) -> Peer:
    return Peer(pod_selector=selector, namespace_selector=ns)


def block(cidr: str, *excepts: str) -> Peer:
    nets = tuple(ipaddress.ip_network(e) for e in excepts)
    return Peer(ip_block=IPBlock(cidr, excepts, ipaddress.ip_network(cidr), nets))


def tcp(*numbers: int) -> tuple[PortSpec, ...]:
    return tuple(PortSpec(n) for n in numbers)


def rule(index: int, *peers: Peer, ports: tuple[PortSpec, ...] | None = None, direction: Direction = IN) -> Rule:
    return Rule(direction, index, peers or None, ports, span(10 + index))


def policy(
    name: str, selector: LabelSelector, *ingress: Rule, ns: str = "shop", types: tuple[Direction, ...] | None = None
) -> NetworkPolicy:
    return NetworkPolicy(ns, name, selector, types, ingress or None, None, span=span(100))


def hits(rule_id: str, cluster: Cluster, memo: Memo | None = None, **options: Any) -> list[Hit]:
    spec = default_registry().get(rule_id)
    assert spec is not None
    ctx = RuleContext(cluster, options={**spec.defaults, **options}, assumptions=Assumptions(), memo=memo or Memo())
    if spec.scope == "policy":
        return [h for p in cluster.policies for h in spec.check(ctx.for_policy(p))]
    return list(spec.check(ctx))


API = pod("shop", "api", app="api")
WEB = rule(0, pods(sel(app="web")), ports=tcp(80, 443))


# -- NP401 rule-shadowed -------------------------------------------------------------------------


def test_duplicate_rule_is_reported_once_on_the_later_copy() -> None:
    p = policy("api", sel(app="api"), WEB, rule(1, pods(sel(app="web")), ports=tcp(80, 443)))
    found = hits("NP401", Cluster.of([], [API], policies=[p]))
    assert [h.span.line for h in found] == [11]
    assert "shop/api ingress rule 1" in found[0].message and "every possible pod" in found[0].message


def test_rule_covered_by_another_policy_for_the_same_pods_names_it() -> None:
    a = policy("api", sel(app="api"), WEB)
    b = policy("api-443", sel(app="api"), rule(0, pods(sel(app="web")), ports=tcp(443)))
    found = hits("NP401", Cluster.of([], [API], policies=[a, b]))
    assert len(found) == 1 and "shop/api-443 ingress rule 1 is shadowed" in found[0].message
    assert "by shop/api ingress rule 1" in found[0].message


def test_empty_pod_selector_rule_matters_for_future_pods() -> None:
    """Over the input (only api) the all-pods rule adds nothing; over all pods it does."""
    specific = policy("api", sel(app="api"), rule(0, pods(sel(app="web")), ports=tcp(80)))
    everyone = policy("all", LabelSelector(), rule(0, pods(sel(app="web")), ports=tcp(80)))
    cluster = Cluster.of([], [API, pod("shop", "web", app="web")], policies=[specific, everyone])
    smt = hits("NP401", cluster)
    assert len(smt) == 1 and smt[0].message.startswith("shop/api ingress rule 1 is shadowed")
    concrete = hits("NP401", cluster, scope="input-workloads")
    assert len(concrete) == 1 and concrete[0].message.startswith("shop/all ingress rule 1 is shadowed")


def test_deny_all_policies_and_other_namespaces_are_silent() -> None:
    deny = policy("deny", LabelSelector())
    other_ns = policy("api", sel(app="api"), WEB, ns="other")
    cluster = Cluster.of(
        [], [API, pod("other", "api", app="api")], policies=[deny, policy("api", sel(app="api"), WEB), other_ns]
    )
    assert hits("NP401", cluster) == []


def test_wider_peer_in_another_rule_shadows_a_narrower_one() -> None:
    wide = rule(0, pods(LabelSelector(), ns=LabelSelector()), ports=tcp(80))
    narrow = rule(1, pods(sel(app="web"), ns=sel(team="ops")), ports=tcp(80))
    found = hits("NP401", Cluster.of([], [API], policies=[policy("api", sel(app="api"), wide, narrow)]))
    assert [h.span.line for h in found] == [11]


def test_undecided_check_becomes_a_finding_not_a_pass() -> None:
    p = policy("api", sel(app="api"), WEB, rule(1, pods(sel(app="web")), ports=tcp(80)))
    cluster = Cluster.of([], [API, pod("shop", "web", app="web")], policies=[p])
    memo = Memo()
    memo.get("queries.coverage.smt", lambda: SmtEngine(cluster, budget=Budget(0)))
    found = hits("NP401", cluster, memo)
    assert len(found) == 1 and found[0].message.startswith("could not decide whether shop/api ingress rule 2")


# -- NP403 policy-redundant ----------------------------------------------------------------------


def test_default_deny_is_not_redundant_because_of_future_pods() -> None:
    deny = policy("default-deny", LabelSelector(), types=(IN,))
    api = policy("api", sel(app="api"), rule(0, block("10.0.0.0/8"), ports=tcp(80)))
    cluster = Cluster.of([], [API], policies=[deny, api])
    assert hits("NP403", cluster) == []
    concrete = hits("NP403", cluster, scope="input-workloads")
    assert [h.message.split(" ")[0] for h in concrete] == ["shop/default-deny"]


def test_duplicate_policy_reported_once() -> None:
    a = policy("a", sel(app="api"), WEB)
    b = policy("b", sel(app="api"), WEB)
    found = hits("NP403", Cluster.of([], [API], policies=[a, b]))
    assert len(found) == 1 and found[0].message.startswith("shop/b is redundant for every possible pod")
    assert "shop/a" in found[0].message


def test_a_same_named_copy_is_named_with_its_place() -> None:
    # ahmetb/kubernetes-network-policy-recipes 11 shows a policy and its revised copy under one name
    # (NP106); NP403 said "shop/a is redundant: shop/a already isolate ...", naming itself.
    first = policy("a", sel(app="api"), WEB)
    again = NetworkPolicy("shop", "a", sel(app="api"), None, (WEB,), None, span=span(200))
    found = hits("NP403", Cluster.of([], [API], policies=[first, again]))
    assert [h.message for h in found] == [
        "shop/a is redundant for every possible pod: shop/a at t.yaml:100:1 already isolates the pods it "
        "selects and allows everything it allows; delete it"
    ]


def test_policy_isolating_alone_or_selecting_nothing_is_not_redundant() -> None:
    only = policy("only", sel(app="api"), WEB)
    ghost = policy("ghost", sel(app="ghost"))
    assert hits("NP403", Cluster.of([], [API], policies=[only, ghost])) == []


def test_policy_isolating_egress_too_is_not_redundant() -> None:
    a = policy("a", sel(app="api"), WEB)
    b = NetworkPolicy("shop", "b", sel(app="api"), (IN, EG), (WEB,), None, span=span(100))
    found = hits("NP403", Cluster.of([], [API], policies=[a, b]))
    assert [h.message.split(" ")[0] for h in found] == ["shop/a"]


# -- NP404 peer-shadowed -------------------------------------------------------------------------


def test_narrower_selector_peer_is_reported() -> None:
    r = rule(0, pods(sel(app="web")), pods(sel(app="web", tier="front")), ports=tcp(80))
    found = hits("NP404", Cluster.of([], [API], policies=[policy("api", sel(app="api"), r)]))
    assert len(found) == 1 and "peer 2 of shop/api ingress rule 1 is shadowed by peer 1" in found[0].message


def test_identical_peers_report_the_later_one_only() -> None:
    r = rule(0, pods(sel(app="web")), pods(sel(app="web")))
    found = hits("NP404", Cluster.of([], [API], policies=[policy("api", sel(app="api"), r)]))
    assert len(found) == 1 and "peer 2" in found[0].message


def test_local_pod_selector_is_not_inside_a_namespace_selector_of_another_namespace() -> None:
    r = rule(0, pods(sel(app="web")), pods(sel(app="web"), ns=sel(team="ops")))
    assert hits("NP404", Cluster.of([], [API], policies=[policy("api", sel(app="api"), r)])) == []


def test_namespace_selector_all_covers_a_local_pod_selector() -> None:
    r = rule(0, pods(sel(app="web")), Peer(namespace_selector=LabelSelector()))
    found = hits("NP404", Cluster.of([], [API], policies=[policy("api", sel(app="api"), r)]))
    assert len(found) == 1 and "peer 1" in found[0].message


def test_ipblock_inside_another_unless_except_cuts_it_out() -> None:
    inside = rule(0, block("10.1.2.0/24"), block("10.0.0.0/8", "10.9.0.0/16"))
    cut = rule(0, block("10.1.2.0/24"), block("10.0.0.0/8", "10.1.0.0/16"))
    assert len(hits("NP404", Cluster.of([], [API], policies=[policy("a", sel(app="api"), inside)]))) == 1
    assert hits("NP404", Cluster.of([], [API], policies=[policy("a", sel(app="api"), cut)])) == []


def test_ipblock_and_selector_peers_never_cover_each_other() -> None:
    r = rule(0, block("0.0.0.0/0"), pods(sel(app="web")))
    assert hits("NP404", Cluster.of([], [API], policies=[policy("a", sel(app="api"), r)])) == []
