"""Symbolic rule coverage over every possible pod, namespace and address (through SmtEngine):
is a rule covered by other rules, does one pod selection contain another, does one peer of a rule
contain another. Also the engine the rules share and their `scope` option.
"""

from __future__ import annotations

import dataclasses

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import Budget, SmtEngine, Undecided
from policylint.model import Direction, LabelSelector, NetworkPolicy, Rule
from policylint.queries.coverage import PolicyRule


def scope_option(what: str) -> dict[str, object]:
    """Options schema of the rules that prove `what` over all pods (SMT) or over the input only."""
    return {
        "type": "object",
        "properties": {
            "scope": {
                "enum": ["all-pods", "input-workloads"],
                "description": f"Prove {what} for every possible pod (SMT) or only for the input's workloads.",
            }
        },
        "additionalProperties": False,
    }


def smt_engine(ev: Evaluator, timeout_ms: int = 5_000, budget_seconds: float = 120.0) -> SmtEngine | None:
    """An SmtEngine for the evaluator's cluster, or None when the encoding lacks an assumption.

    Rules share one engine per run (ctx.shared), so its budget bounds the whole run's solver time."""
    try:
        return SmtEngine(ev.cluster, ev.assumptions, timeout_ms=timeout_ms, budget=Budget(budget_seconds))
    except NotImplementedError:
        return None


def in_effect(policy: NetworkPolicy, direction: Direction) -> tuple[PolicyRule, ...]:
    return tuple((policy, r) for r in policy.rules(direction))


def with_rules(policy: NetworkPolicy, direction: Direction, rules: tuple[Rule, ...]) -> NetworkPolicy:
    """A copy of `policy` that isolates `direction` only, with `rules` in effect."""
    if direction is Direction.INGRESS:
        return dataclasses.replace(policy, policy_types_written=(direction,), ingress=rules, egress=None)
    return dataclasses.replace(policy, policy_types_written=(direction,), ingress=None, egress=rules)


def peer_covered(engine: SmtEngine, policy: NetworkPolicy, rule: Rule, inner: int, outer: int) -> bool | Undecided:
    """Does peer `outer` of `rule` match every pod and address peer `inner` matches (all pods)?"""
    peers = rule.peers or ()
    a = dataclasses.replace(rule, index=0, peers=(peers[inner],), ports=None)
    b = dataclasses.replace(rule, index=1, peers=(peers[outer],), ports=None)
    host = with_rules(dataclasses.replace(policy, pod_selector=LabelSelector()), rule.direction, (a, b))
    return engine.rule_covered(host, a, [(host, b)])
