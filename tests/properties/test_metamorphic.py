"""Invariants of the semantics: transformations that must not change (or may only grow) the
allowed connections. Checked with the concrete evaluator on every pair of the finite universe,
and with the SMT engine on the transformed cluster against the original's concrete answer."""

from __future__ import annotations

import dataclasses
import random
from typing import overload

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import KEYS, clusters, peers, policies, port_specs
from universe import REPRESENTATIVE_PORTS, SLOW_MACHINE_TIMEOUT_MS, endpoint_pairs

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Endpoint, Flow
from policylint.engine.smt import SmtEngine
from policylint.model import (
    PROTOCOLS,
    Cluster,
    Direction,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    Requirement,
    Rule,
)
from policylint.model.selector import NEGATED_STRING_OPERATORS, STRING_OPERATORS, string_test

Matrix = dict[tuple[Endpoint, Endpoint], ConnSet]


def matrix(cluster: Cluster, pairs: list[tuple[Endpoint, Endpoint]]) -> Matrix:
    ev = Evaluator(cluster)
    return {pair: ev.allowed_conns(*pair) for pair in pairs}


def assert_smt_agrees(cluster: Cluster, expected: Matrix, limit: int = 40) -> None:
    """The SMT engine on the transformed cluster reproduces the original's concrete matrix."""
    smt = SmtEngine(cluster, timeout_ms=SLOW_MACHINE_TIMEOUT_MS)
    for (src, dst), conns in list(expected.items())[:limit]:
        assert smt.conns_mismatch(src, dst, conns) is None, (src, dst, conns)


def with_policies(cluster: Cluster, policies: list[NetworkPolicy]) -> Cluster:
    return Cluster.of(cluster.namespaces, cluster.workloads, cluster.services, policies)


def both_universes(a: Cluster, b: Cluster) -> list[tuple[Endpoint, Endpoint]]:
    return sorted(set(endpoint_pairs(a)) | set(endpoint_pairs(b)), key=repr)


def renumber(rules: tuple[Rule, ...] | None) -> tuple[Rule, ...] | None:
    return None if rules is None else tuple(dataclasses.replace(r, index=i) for i, r in enumerate(rules))


@given(clusters(), st.randoms(use_true_random=False))
def test_policy_and_rule_order_is_irrelevant(cluster: Cluster, rnd: random.Random) -> None:
    shuffled = list(cluster.policies)
    rnd.shuffle(shuffled)
    for i, p in enumerate(shuffled):
        ingress = list(p.ingress) if p.ingress else None
        egress = list(p.egress) if p.egress else None
        for rules in (ingress, egress):
            if rules:
                rnd.shuffle(rules)
        shuffled[i] = dataclasses.replace(
            p,
            ingress=renumber(tuple(ingress)) if ingress is not None else p.ingress,
            egress=renumber(tuple(egress)) if egress is not None else p.egress,
        )
    pairs = endpoint_pairs(cluster)
    before = matrix(cluster, pairs)
    after_cluster = with_policies(cluster, shuffled)
    assert matrix(after_cluster, pairs) == before
    assert_smt_agrees(after_cluster, before)


@given(clusters(), st.data())
def test_a_policy_selecting_nothing_changes_nothing(cluster: Cluster, data: st.DataObject) -> None:
    extra = data.draw(st.sampled_from(("unused-label", "empty-namespace")))
    policy = data.draw(policies("idle", [n.name for n in cluster.namespaces]))
    if extra == "unused-label":  # no workload carries the value "zzz"
        sel = LabelSelector(policy.pod_selector.match_labels + (("app", "zzz"),), policy.pod_selector.match_expressions)
        policy = dataclasses.replace(policy, pod_selector=sel)
    else:  # a namespace without workloads
        policy = dataclasses.replace(policy, namespace="empty-ns")
    pairs = endpoint_pairs(cluster)
    before = matrix(cluster, pairs)
    grown = with_policies(cluster, [*cluster.policies, policy])
    assert matrix(grown, pairs) == before
    assert_smt_agrees(grown, before)


@given(clusters(), st.data())
def test_adding_a_peer_or_port_never_removes_a_flow(cluster: Cluster, data: st.DataObject) -> None:
    candidates = [
        (pi, d, ri)
        for pi, p in enumerate(cluster.policies)
        for d, rules in ((Direction.INGRESS, p.ingress), (Direction.EGRESS, p.egress))
        for ri, r in enumerate(rules or ())
        if r.peers or r.ports  # a list that is empty or absent means "all": adding would restrict it
    ]
    if not candidates:
        return
    pi, direction, ri = data.draw(st.sampled_from(candidates))
    policy = cluster.policies[pi]
    rules = list((policy.ingress if direction is Direction.INGRESS else policy.egress) or ())
    rule = rules[ri]
    if rule.peers and (not rule.ports or data.draw(st.booleans())):
        rules[ri] = dataclasses.replace(rule, peers=(*rule.peers, data.draw(peers())))
    else:
        assert rule.ports
        rules[ri] = dataclasses.replace(rule, ports=(*rule.ports, data.draw(port_specs())))
    pols = list(cluster.policies)
    if direction is Direction.INGRESS:
        pols[pi] = dataclasses.replace(policy, ingress=tuple(rules))
    else:
        pols[pi] = dataclasses.replace(policy, egress=tuple(rules))
    grown = with_policies(cluster, pols)
    pairs = both_universes(cluster, grown)
    before, after = matrix(cluster, pairs), matrix(grown, pairs)
    for pair in pairs:
        assert before[pair].issubset(after[pair]), (pair, before[pair], after[pair])


def rename(value: str, old: str, new: str) -> str:
    return new if value == old else value


def _string_requirements(cluster: Cluster) -> list[Requirement]:
    sels: list[LabelSelector | None] = [p.pod_selector for p in cluster.policies]
    for p in cluster.policies:
        for r in (p.ingress or ()) + (p.egress or ()):
            sels += [s for peer in r.peers or () for s in (peer.pod_selector, peer.namespace_selector)]
    return [r for s in sels if s is not None for r in s.match_expressions
            if r.key in KEYS and r.operator in STRING_OPERATORS or r.operator in NEGATED_STRING_OPERATORS]  # fmt: skip


@settings(max_examples=30)
@given(clusters(), st.sampled_from(("a", "b", "c")))
def test_renaming_a_label_value_everywhere_changes_nothing(cluster: Cluster, old: str) -> None:
    # Calico's contains / starts with / ends with see inside values: a rename keeps the verdicts only
    # if every such test answers the same for the new value as for the old one ("renamed" contains "a").
    new = old * 2
    assume(all(string_test(r.operator, rename(r.values[0], old, new), new) == string_test(r.operator, r.values[0], old)
               for r in _string_requirements(cluster)))  # fmt: skip

    def labels(d: dict[str, str]) -> dict[str, str]:
        return {k: rename(v, old, new) if k in KEYS else v for k, v in d.items()}

    @overload
    def sel(s: LabelSelector) -> LabelSelector: ...
    @overload
    def sel(s: None) -> None: ...
    def sel(s: LabelSelector | None) -> LabelSelector | None:
        if s is None:
            return None
        ml = tuple((k, rename(v, old, new) if k in KEYS else v) for k, v in s.match_labels)
        me = tuple(
            Requirement(r.key, r.operator, tuple(rename(v, old, new) for v in r.values) if r.key in KEYS else r.values)
            for r in s.match_expressions
        )
        return LabelSelector(ml, me)

    def peer(p: Peer) -> Peer:
        return dataclasses.replace(p, pod_selector=sel(p.pod_selector), namespace_selector=sel(p.namespace_selector))

    def rules(rs: tuple[Rule, ...] | None) -> tuple[Rule, ...] | None:
        if rs is None:
            return None
        return tuple(dataclasses.replace(r, peers=None if r.peers is None else tuple(map(peer, r.peers))) for r in rs)

    namespaces = [Namespace(n.name, labels(n.labels)) for n in cluster.namespaces]
    workloads = [dataclasses.replace(w, labels=labels(w.labels)) for w in cluster.workloads]
    pols = [
        dataclasses.replace(p, pod_selector=sel(p.pod_selector), ingress=rules(p.ingress), egress=rules(p.egress))
        for p in cluster.policies
    ]
    renamed = Cluster.of(namespaces, workloads, cluster.services, pols)
    pairs = endpoint_pairs(cluster)
    before = matrix(cluster, pairs)
    assert matrix(renamed, pairs) == before
    assert_smt_agrees(renamed, before)


def ingress_verdicts(cluster: Cluster, pairs: list[tuple[Endpoint, Endpoint]]) -> dict[Flow, bool]:
    ev = Evaluator(cluster)
    flows = [Flow(s, d, p, port) for s, d in pairs for p in PROTOCOLS for port in REPRESENTATIVE_PORTS]
    return {f: ev.verdict(f).ingress.allowed for f in flows}


@given(clusters())
def test_a_policy_without_ingress_in_policy_types_never_affects_ingress(cluster: Cluster) -> None:
    pairs = endpoint_pairs(cluster)
    before = matrix(cluster, pairs)
    ingress_before = ingress_verdicts(cluster, pairs)
    allow_all = (Rule(Direction.INGRESS, 0),)
    for i, p in enumerate(cluster.policies):
        if Direction.INGRESS in p.policy_types:
            continue
        rest = [q for j, q in enumerate(cluster.policies) if j != i]
        assert ingress_verdicts(with_policies(cluster, rest), pairs) == ingress_before
        # Its ingress rules are ignored, whatever they say (SEMANTICS.md P3).
        loud = [*rest, dataclasses.replace(p, ingress=allow_all)]
        assert matrix(with_policies(cluster, loud), pairs) == before
        assert_smt_agrees(with_policies(cluster, loud), before, limit=15)

