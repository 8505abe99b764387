"""A pod the solver invents carries label values that behave as the encoding assumed.

Calico's string operators (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors:
`k contains 's'`, `k starts with 's'`, `k ends with 's'` and their negations) are encoded over the
values the selectors mention; one "other" value stands for every value nobody mentions and is
assumed to fail each of them. The value a witness then shows for "other" must fail them too:
`other0` contains "o", so a witness named that way was refuted by the concrete evaluator.
"""

from __future__ import annotations

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
