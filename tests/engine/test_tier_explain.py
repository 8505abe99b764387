"""`query` explanations name the deciding tier, policy, priority and rule, and say when a Pass
handed the decision down or an Admin rule decided before any NetworkPolicy was consulted."""

from __future__ import annotations

from tier_cases import EGRESS, INGRESS, ns_pods, policy, rule, tcp, tier, two_pods

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.model import Protocol
from policylint.model.rule_form import ADMIN_RANK, BASELINE_RANK, Action, Combine, Match
from policylint.queries.explain import explain_side


def test_admin_deny_is_named_with_priority_and_before_network_policy() -> None:
    deny = policy("deny-db", (ns_pods("a"),), (rule(EGRESS, Action.DENY, (Match(pods=ns_pods("b")),), (tcp(5432),),
                                                     index=1, policy="deny-db", priority=10),), priority=10)
    ev = Evaluator(two_pods(tier("Admin", Combine.FIRST_MATCH, ADMIN_RANK, deny)))
    side = explain_side(ev, 0, 1, EGRESS, ConnSet.single(Protocol.TCP, 5432))
    assert len(side.layers) == 1
    expected = "TCP 5432: denied by ClusterNetworkPolicy deny-db (Admin, priority 10) egress rule 2"
    assert side.layers[0].startswith(expected)
    assert side.layers[0].endswith("before any NetworkPolicy was consulted")


def test_pass_is_named_when_a_later_tier_decides() -> None:
    passing = policy("pass", (ns_pods("b"),), (rule(INGRESS, Action.PASS, policy="pass"),))
    base = policy("base", (ns_pods("b"),), (rule(INGRESS, Action.DENY, policy="base", tier="Baseline"),),
                  tier="Baseline")
    ev = Evaluator(two_pods(tier("Admin", Combine.FIRST_MATCH, ADMIN_RANK, passing),
                            tier("Baseline", Combine.FIRST_MATCH, BASELINE_RANK, base)))
    side = explain_side(ev, 1, 0, INGRESS, ConnSet.single(Protocol.TCP, 80))
    assert len(side.layers) == 1
    line = side.layers[0]
    assert "denied by ClusterNetworkPolicy base" in line and "passed down by ClusterNetworkPolicy pass" in line
    assert "before any NetworkPolicy" not in line


def test_network_policy_only_explanations_have_no_tier_lines() -> None:
    ev = Evaluator(two_pods())
    assert explain_side(ev, 0, 1, EGRESS, None).layers == []
