"""Solver robustness (issue 7 item 4): every z3 call is bounded, undecided answers are explicit,
and a pathological cluster finishes within the run budget."""

from __future__ import annotations

import ipaddress
import random
import time

import z3

from policylint.engine.flow import Flow
from policylint.engine.smt import AnyEndpoint, Budget, SmtEngine, Undecided, UndecidedError, Witness
from policylint.engine.smt.solve import check
from policylint.model import (
    Cluster,
    Direction,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    PortSpec,
    Protocol,
    Requirement,
    Rule,
    Workload,
)


def overlapping_selector(rnd: random.Random, n: int) -> LabelSelector:
    """n matchExpressions over few keys and overlapping value sets: hard to see through."""
    reqs = []
    for _ in range(n):
        op = rnd.choice([Operator.IN, Operator.NOT_IN, Operator.IN, Operator.EXISTS])
        values = tuple(sorted({f"v{rnd.randrange(40)}" for _ in range(rnd.randint(3, 12))}))
        reqs.append(Requirement(f"k{rnd.randrange(12)}", op, values if op is not Operator.EXISTS else ()))
    return LabelSelector((), tuple(reqs))


def many_excepts(n: int) -> Peer:
    net = ipaddress.ip_network("10.0.0.0/8")
    excepts = [ipaddress.ip_network((0x0A000000 + (i * 7919 % 65536) * 256, 24)) for i in range(n)]
    excepts = list(dict.fromkeys(excepts))
    return Peer(ip_block=IPBlock(str(net), tuple(map(str, excepts)), net, tuple(excepts)))


def pathological_cluster(seed: int = 7) -> Cluster:
    rnd = random.Random(seed)
    policies = []
    for i in range(20):
        rules = tuple(
            Rule(
                Direction.INGRESS,
                j,
                (Peer(pod_selector=overlapping_selector(rnd, 15), namespace_selector=overlapping_selector(rnd, 5)),
                 many_excepts(150)),
                (PortSpec(rnd.randrange(1, 60000), None, Protocol.TCP),),
            )
            for j in range(2)
        )
        policies.append(NetworkPolicy("ns", f"p{i}", overlapping_selector(rnd, 10), None, ingress=rules))
    labels = {f"k{i}": f"v{i}" for i in range(12)}
    return Cluster.of([Namespace("ns", {"k0": "v1"})], [Workload("ns", "w", "Deployment", labels)], (), policies)


def test_pathological_cluster_finishes_within_the_global_budget() -> None:
    cluster = pathological_cluster()
    n_requirements = sum(len(p.pod_selector.match_expressions) for p in cluster.policies)
    assert n_requirements >= 200
    budget = Budget(20.0)
    smt = SmtEngine(cluster, timeout_ms=3_000, budget=budget)
    start = time.perf_counter()
    answers: list[object] = [smt.witness(AnyEndpoint(), AnyEndpoint())]
    for policy in cluster.policies[:5]:
        assert policy.ingress is not None
        others = [(p, r) for p in cluster.policies if p is not policy for r in p.ingress or ()]
        answers.append(smt.rule_covered(policy, policy.ingress[0], others))
    elapsed = time.perf_counter() - start
    assert elapsed < budget.total + 10  # building counts too now; slack for a loaded machine
    assert budget.spent <= budget.total + 1
    for answer in answers:
        assert answer is None or isinstance(answer, bool | Witness | Undecided)


def test_a_spent_budget_makes_every_question_undecided() -> None:
    cluster = pathological_cluster()
    smt = SmtEngine(cluster, budget=Budget(0.0))
    assert isinstance(smt.witness(AnyEndpoint(), 0), Undecided)
    policy = cluster.policies[0]
    assert policy.ingress is not None
    assert isinstance(smt.rule_covered(policy, policy.ingress[0], []), Undecided)
    try:
        smt.verdict(Flow(0, 0, Protocol.TCP, 80))
    except UndecidedError as err:
        assert "budget" in str(err)
    else:  # pragma: no cover
        raise AssertionError("a verdict without budget must not be reported as an answer")


def test_a_solver_timeout_is_undecided_never_an_answer() -> None:
    # Pigeonhole, 9 pigeons in 8 holes: unsat, but far beyond 1 ms for a SAT solver.
    ctx = z3.Context()
    p = [[z3.Bool(f"p{i}_{h}", ctx) for h in range(8)] for i in range(9)]
    formulas = [z3.Or(*row) for row in p]
    formulas += [z3.Or(z3.Not(p[i][h]), z3.Not(p[j][h])) for h in range(8) for i in range(9) for j in range(i)]
    answer = check(ctx, formulas, timeout_ms=1, budget=Budget(10.0))
    assert isinstance(answer, Undecided)
    assert "resource limit" in answer.reason  # deterministic units, not a wall-clock timeout
