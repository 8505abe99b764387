"""Narrowing the label universe to a question's scope never changes an answer.

SmtEngine encodes a question over the keys and values of the selectors that can meet it when the
run's whole universe is large (engine/smt/__init__.py, `_narrow`). The claim: a key or value no
selector of the scope tests cannot change the answer. Here both modes are forced on the same
random clusters and asked the same questions; verdicts must agree, and every witness the narrowed
engine finds is confirmed by the concrete evaluator on the whole cluster.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import NAMESPACES, clusters, selectors
from tier_strategies import tiered_clusters
from universe import SLOW_MACHINE_TIMEOUT_MS

from policylint.engine.smt import AnyEndpoint, EndpointSpec, Pods, SmtEngine, Undecided, Witness, verify_witness
from policylint.model import Cluster, Direction
from policylint.model.rule_form import FormRule, TierPolicy


def _engines(cluster: Cluster) -> tuple[SmtEngine, SmtEngine]:
    return (SmtEngine(cluster, timeout_ms=SLOW_MACHINE_TIMEOUT_MS, narrow_universes=True),
            SmtEngine(cluster, timeout_ms=SLOW_MACHINE_TIMEOUT_MS, narrow_universes=False))  # fmt: skip


@settings(max_examples=40)
@given(st.one_of(clusters(), tiered_clusters()), st.data())
def test_flow_questions_get_the_same_answer_in_a_narrowed_universe(cluster: Cluster, data: st.DataObject) -> None:
    narrow, whole = _engines(cluster)
    ends: list[EndpointSpec] = [
        *range(len(cluster.workloads)), AnyEndpoint(),
        Pods(namespace=data.draw(st.sampled_from([*NAMESPACES, "brand-new"]))),
        Pods(namespace_selector=data.draw(selectors(with_names=True)), pod_selector=data.draw(selectors())),
    ]  # fmt: skip
    src, dst = data.draw(st.sampled_from(ends)), data.draw(st.sampled_from(ends))
    allowed = data.draw(st.booleans())
    found = narrow.find(src, dst, allowed=allowed)
    assert not isinstance(found, Undecided)
    assert (found is None) == (whole.find(src, dst, allowed=allowed) is None)
    if isinstance(found, Witness) and allowed:
        assert verify_witness(cluster, found)
    spec = Pods(namespace_selector=data.draw(selectors(with_names=True)), pod_selector=data.draw(selectors()))
    assert (narrow.pod(spec) is None) == (whole.pod(spec) is None)


@settings(max_examples=25)
@given(tiered_clusters())
def test_tier_questions_get_the_same_answer_in_a_narrowed_universe(cluster: Cluster) -> None:
    narrow, whole = _engines(cluster)
    for tier in cluster.tiers:
        earlier: list[tuple[TierPolicy, FormRule]] = []
        for policy in tier.policies:
            for rule in policy.rules:
                reached = narrow.tier_rule_reached(policy, rule, earlier)
                assert not isinstance(reached, Undecided)
                assert (reached is None) == (whole.tier_rule_reached(policy, rule, earlier) is None)
                earlier.append((policy, rule))


@settings(max_examples=40)
@given(clusters())
def test_coverage_questions_get_the_same_answer_in_a_narrowed_universe(cluster: Cluster) -> None:
    narrow, whole = _engines(cluster)
    for policy in cluster.policies:
        pool = [(p, r) for p in cluster.policies if p.namespace == policy.namespace and p is not policy
                for d in Direction for r in p.rules(d)]  # fmt: skip
        for rule in (policy.ingress or ()) + (policy.egress or ()):
            assert narrow.covered(policy, rule, pool) == whole.covered(policy, rule, pool)
            assert narrow.rule_covered(policy, rule, pool) == whole.rule_covered(policy, rule, pool)
        rest = [p for p in cluster.policies if p is not policy]
        for direction in policy.policy_types:
            assert narrow.selection_covered(policy, rest, direction) == whole.selection_covered(policy, rest, direction)
