"""Symbolic reachability for `query`: can ANY pod matching a selector (not only the input's) connect?

Every witness is re-checked by the concrete evaluator on a copy of the cluster holding the
synthetic pod before it is shown; an undecided solver call is reported, never read as "no".
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions
from policylint.engine.smt import AnyEndpoint, Budget, SmtEngine, SyntheticPod, Undecided, Witness, verify_witness
from policylint.engine.smt.encode import Addresses, Pods
from policylint.engine.smt.encode import EndpointSpec as SmtSpec
from policylint.model.cluster import Cluster
from policylint.queries.endpoints import EndpointSpec


@dataclass(frozen=True, slots=True)
class SymbolicAnswer:
    text: str | None  # a verified witness, described
    undecided: str | None = None
    none_possible: bool = False  # proven: no pod or address matching the endpoints could connect


def _smt_spec(cluster: Cluster, spec: EndpointSpec) -> SmtSpec:
    if spec.any_external and spec.pod_selector is not None and spec.pod_selector.is_empty and spec.workloads:
        return AnyEndpoint()
    if spec.single:
        return bit_indices(spec.workloads)[0]
    if spec.network is not None:
        if spec.network.num_addresses == 1:
            return spec.network.network_address
        return Addresses(spec.network)
    return Pods(namespace=spec.namespace, namespace_selector=spec.namespace_selector,
                pod_selector=spec.pod_selector, host_network=False)


def _describe(cluster: Cluster, end: object) -> str:
    if isinstance(end, SyntheticPod):
        labels = ", ".join(f"{k}={v}" for k, v in sorted(end.labels.items())) or "no labels"
        ns_labels = ", ".join(f"{k}={v}" for k, v in sorted(end.namespace_labels.items()))
        where = f"a new namespace {end.namespace} ({ns_labels})" if end.new_namespace else f"namespace {end.namespace}"
        return f"a pod labelled {labels} in {where}"
    if isinstance(end, int):
        return cluster.workloads[end].ref
    return str(end)


def symbolic(
    cluster: Cluster, assumptions: Assumptions, src: EndpointSpec, dst: EndpointSpec, want: ConnSet | None,
    timeout_ms: int, budget_seconds: float,
) -> SymbolicAnswer:
    try:
        engine = SmtEngine(cluster, assumptions, timeout_ms=timeout_ms, budget=Budget(budget_seconds))
    except NotImplementedError as exc:
        return SymbolicAnswer(None, undecided=f"no symbolic answer: {exc}")
    answer = engine.witness(_smt_spec(cluster, src), _smt_spec(cluster, dst), want)
    if isinstance(answer, Undecided):
        return SymbolicAnswer(None, undecided=f"the solver gave up ({answer.reason})")
    if answer is None:
        return SymbolicAnswer(None, none_possible=True)
    return _checked(cluster, assumptions, answer)


def _checked(cluster: Cluster, assumptions: Assumptions, w: Witness) -> SymbolicAnswer:
    if not verify_witness(cluster, w, assumptions):
        return SymbolicAnswer(None, undecided="the solver's witness did not survive the concrete re-check")
    text = (f"{_describe(cluster, w.src)} could reach {_describe(cluster, w.dst)} "
            f"on {w.protocol.value} {w.port}")
    return SymbolicAnswer(text)
