"""A pod the solver invents carries label values that behave as the encoding assumed.

Calico's string operators (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors:
`k contains 's'`, `k starts with 's'`, `k ends with 's'` and their negations) test label values
nobody mentions, and those differ: "foo" contains "o", "bar" does not, "ba" both contains "a" and
starts with "b". The encoding once had one "other" value per key, failing every test, so it missed
such pods, and the witness value it invented for "other" (`other0`) could contain a text ("o"), so
the concrete evaluator refuted the witness. The value an "other" index stands for is now a z3
string under the same tests, and what a witness shows is a valid label value that passes exactly them.
"""

from __future__ import annotations

import re

from policylint.engine.smt import Pods, SmtEngine, SyntheticPod, Witness, verify_witness
from policylint.model import (
    Cluster,
    Direction,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    Requirement,
    Rule,
    Workload,
)


def _cluster(op: Operator, text: str) -> Cluster:
    """Ingress to `web` from pods whose app label passes `op text` (Calico: the negated operators
    also match pods without the key)."""
    peer = Peer(pod_selector=LabelSelector(match_expressions=(Requirement("app", op, (text,)),)))
    rule = Rule(Direction.INGRESS, 0, (peer,))
    policy = NetworkPolicy("shop", "in", LabelSelector(), (Direction.INGRESS,), ingress=(rule,))
    return Cluster.of([Namespace("shop", {})], [Workload("shop", "web", "Deployment", {"app": "web"})], (), [policy])


# A source with an app label that no selector mentions: the solver must invent its value.
UNMENTIONED = Pods(pod_selector=LabelSelector(match_expressions=(
    Requirement("app", Operator.EXISTS), Requirement("app", Operator.NOT_IN, ("web", "o", "ot", "r0", "0")),
)))  # fmt: skip


def test_an_invented_value_fails_every_string_operator_as_encoded() -> None:
    for op, text in [(Operator.NOT_CONTAINS, "o"), (Operator.NOT_STARTS_WITH, "ot"), (Operator.NOT_ENDS_WITH, "r0"),
                     (Operator.NOT_ENDS_WITH, "0")]:  # fmt: skip
        cluster = _cluster(op, text)
        witness = SmtEngine(cluster).find(UNMENTIONED, 0)
        assert isinstance(witness, Witness), (op, text)
        assert isinstance(witness.src, SyntheticPod)
        value = witness.src.labels["app"]
        assert text not in value and value not in ("web", "o", "ot", "r0", "0"), value
        assert verify_witness(cluster, witness), (op, text, value)


# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")


def test_a_value_nobody_mentions_can_pass_a_positive_string_operator() -> None:
    # `app contains 'o'`: a pod labelled app=foo (mentioned nowhere) is admitted too.
    cluster = _cluster(Operator.CONTAINS, "o")
    witness = SmtEngine(cluster).find(UNMENTIONED, 0)
    assert isinstance(witness, Witness) and isinstance(witness.src, SyntheticPod)
    value = witness.src.labels["app"]
    assert "o" in value and len(value) <= 63 and LABEL_VALUE.fullmatch(value), value
    assert verify_witness(cluster, witness)


def test_string_operators_together_are_not_a_contradiction() -> None:
    # `app contains 'a' && app starts with 'b'` matches app=ba: not "no pod could match".
    both = LabelSelector(match_expressions=(
        Requirement("app", Operator.CONTAINS, ("a",)), Requirement("app", Operator.STARTS_WITH, ("b",)),
        Requirement("app", Operator.NOT_ENDS_WITH, ("a",)),
    ))  # fmt: skip
    pod = SmtEngine(_cluster(Operator.CONTAINS, "a")).pod(Pods(pod_selector=both))
    assert isinstance(pod, SyntheticPod)
    value = pod.labels["app"]
    assert value.startswith("b") and "a" in value and not value.endswith("a") and LABEL_VALUE.fullmatch(value)
    # A real contradiction stays one.
    never = LabelSelector(match_expressions=(
        Requirement("app", Operator.STARTS_WITH, ("b",)), Requirement("app", Operator.NOT_CONTAINS, ("b",)),
    ))  # fmt: skip
    assert SmtEngine(_cluster(Operator.CONTAINS, "a")).pod(Pods(pod_selector=never)) is None
