"""Symbolic reachability for `query`: can ANY pod matching a selector (not only the input's) connect?

Every witness is re-checked by the concrete evaluator on a copy of the cluster holding the
synthetic pod before it is shown; an undecided solver call is reported, never read as "no".
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions
from policylint.engine.smt import Budget, Prefer, SmtEngine, Undecided, Witness, verify_witness
from policylint.model.cluster import Cluster
from policylint.model.policy import Protocol
from policylint.queries.endpoints import EndpointSpec
from policylint.queries.expectations import describe_end
from policylint.queries.expectations import symbolic as to_smt


@dataclass(frozen=True, slots=True)
class SymbolicAnswer:
    text: str | None  # a verified witness, described
    undecided: str | None = None
    none_possible: bool = False  # proven: no pod or address matching the endpoints could connect


def symbolic(
    cluster: Cluster,
    assumptions: Assumptions,
    src: EndpointSpec,
    dst: EndpointSpec,
    want: ConnSet | None,
    timeout_ms: int,
    budget_seconds: float,
) -> SymbolicAnswer:
    try:
        engine = SmtEngine(cluster, assumptions, timeout_ms=timeout_ms, budget=Budget(budget_seconds))
    except NotImplementedError as exc:
        return SymbolicAnswer(None, undecided=f"no symbolic answer: {exc}")
    answer = engine.witness(to_smt(src), to_smt(dst), want, realistic_ports(cluster))
    if isinstance(answer, Undecided):
        return SymbolicAnswer(None, undecided=f"the solver gave up ({answer.reason})")
    if answer is None:
        return SymbolicAnswer(None, none_possible=True)
    return _checked(cluster, assumptions, answer)


def _checked(cluster: Cluster, assumptions: Assumptions, w: Witness) -> SymbolicAnswer:
    if not verify_witness(cluster, w, assumptions):
        return SymbolicAnswer(None, undecided="the solver's witness did not survive the concrete re-check")
    text = f"{describe_end(cluster, w.src)} could reach {describe_end(cluster, w.dst)} on {w.protocol.value} {w.port}"
    return SymbolicAnswer(text)


def realistic_ports(cluster: Cluster) -> list[Prefer]:
    """Flows to look for a witness among first, most telling first: on ports the rules name (a
    range by its first port), then ports the workloads declare, then TCP 80/443, then any TCP port; pod to pod,
    and ordinary pods of the input's namespaces, before hostNetwork pods and new namespaces."""
    named = ConnSet.none()
    specs = [s for p in cluster.policies for r in (*(p.ingress or ()), *(p.egress or ())) for s in r.ports or ()]
    specs += [s for t in cluster.tiers for pol in t.policies for r in pol.rules for s in r.ports or ()]
    for spec in specs:
        if isinstance(spec.port, int):
            named = named | ConnSet.single(spec.protocol, spec.port)
    declared = ConnSet.none()
    for w in cluster.workloads:
        for cp in w.ports:
            declared = declared | ConnSet.single(cp.protocol, cp.port)
    web = ConnSet.single(Protocol.TCP, 80) | ConnSet.single(Protocol.TCP, 443)  # when nothing names a port
    tcp = ConnSet.single(Protocol.TCP, 1, 65535)
    ports = [c for c in (named, declared, web, tcp) if c]
    return [Prefer(ports[0], known_namespaces=True, pods=True), *(Prefer(c, known_namespaces=True) for c in ports),
            Prefer(ports[0])]  # fmt: skip
