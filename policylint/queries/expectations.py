"""Intent: endpoint expressions as SMT endpoints over all possible pods, the ports an expectation
is about, and the description of a flow that violates one (who permits or blocks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions, Flow, SideVerdict
from policylint.engine.smt import Addresses, AnyEndpoint, Pods, SyntheticPod, Undecided, Witness
from policylint.engine.smt import EndpointSpec as SymbolicSpec
from policylint.engine.smt.witness import WitnessEndpoint, materialize
from policylint.model import Cluster, Direction, LabelSelector, Protocol
from policylint.queries.coverage import rule_list
from policylint.queries.endpoints import EndpointError, EndpointSpec
from policylint.queries.explain import explain_side

# -- endpoint expressions over all possible pods -------------------------------------------------


def symbolic(spec: EndpointSpec) -> SymbolicSpec:
    """An endpoint expression of `policylint query` as an SMT endpoint over all possible pods."""
    if spec.single:
        return spec.workloads.bit_length() - 1
    if spec.any_external:
        return AnyEndpoint()
    if spec.network is not None:
        return Addresses(spec.network)
    # hostNetwork pods are outside NetworkPolicy (SEMANTICS P18): a selector means ordinary pods.
    return Pods(spec.namespace, spec.namespace_selector, spec.pod_selector, host_network=False)


def symbolic_exempt(ev: Evaluator, spec: EndpointSpec) -> SymbolicSpec:
    """An `except` entry: a workload stands for every pod of its namespace carrying its labels
    (its replicas, and look-alikes), not only for the exact label set."""
    if not spec.single:
        return symbolic(spec)
    w = ev.workloads[spec.workloads.bit_length() - 1]
    return Pods(namespace=w.namespace, pod_selector=LabelSelector(tuple(sorted(w.labels.items()))), host_network=False)


# -- expectations: ports and violations ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checked:
    answer: Witness | Undecided | None  # a violating flow, an undecided check, or None (holds)
    conns: ConnSet | None  # the ports the expectation is about (None: every port)


def port_conns(ev: Evaluator, dst: EndpointSpec, port: int | str | None) -> ConnSet | None:
    """`port` of an expectation: a number (TCP), `number/PROTOCOL`, or a container port name of a
    single destination workload. Raises EndpointError when it cannot be read."""
    if port is None:
        return None
    if isinstance(port, int):
        return ConnSet.single(Protocol.TCP, port)
    number, _, proto = port.partition("/")
    protocol = Protocol.__members__.get((proto or "TCP").upper())
    if number.isdigit() and protocol is not None:
        return ConnSet.single(protocol, int(number))
    if dst.single and not proto:
        w = ev.workloads[dst.workloads.bit_length() - 1]
        for protocol in Protocol:
            found = w.named_port(port, protocol)
            if found is not None:
                return ConnSet.single(protocol, found)
    raise EndpointError(f"cannot read port {port!r}: use a number, number/PROTOCOL, or a port name of one workload")


def describe_end(cluster: Cluster, end: WitnessEndpoint) -> str:
    if isinstance(end, int):
        return cluster.workloads[end].ref
    if isinstance(end, SyntheticPod):
        labels = ", ".join(f"{k}={v}" for k, v in sorted(end.labels.items()))
        ns_labels = ", ".join(f"{k}={v}" for k, v in sorted(end.namespace_labels.items()))
        new = f" (a namespace not in the input, labelled {{{ns_labels}}})" if end.new_namespace else ""
        kind = "a hostNetwork pod" if end.host_network else "a pod"
        return f"{kind} {{{labels}}} in namespace {end.namespace}{new}"
    return str(end)


def _side_text(side: SideVerdict, role: str, endpoint: str) -> str:
    if not side.applies:
        return f"{role} {endpoint} is governed by no policy"
    if not side.isolated:
        return f"{role} {endpoint} is not isolated"
    return "allowed by " + rule_list([(r.policy, r.rule) for r in side.allowing], limit=2)


def describe_violation(
    cluster: Cluster, assumptions: Assumptions, witness: Witness, verdict: str, conns: ConnSet | None
) -> str:
    """One line: the witness flow, its concrete re-check, and who permits (deny) or blocks (allow) it."""
    src, dst = describe_end(cluster, witness.src), describe_end(cluster, witness.dst)
    flow_text = f"{src} -> {dst} on {witness.protocol.value} {witness.port}"
    copy, flow = materialize(cluster, witness)
    ev = Evaluator(copy, assumptions)
    result = ev.verdict(flow)
    confirmed = result.allowed is (verdict == "deny")
    note = "" if confirmed else " (the concrete evaluator disagrees: please report this bug)"
    if verdict == "deny":
        sides = [_side_text(result.egress, "source", src), _side_text(result.ingress, "destination", dst)]
        return f"{flow_text} is allowed ({'; '.join(sides)}){note}"
    return f"{flow_text} is blocked ({_blocker(ev, flow, conns)}){note}"


def _blocker(ev: Evaluator, flow: Flow, conns: ConnSet | None) -> str:
    want = ConnSet.single(flow.protocol, flow.port)
    for endpoint, other, direction in ((flow.src, flow.dst, Direction.EGRESS), (flow.dst, flow.src, Direction.INGRESS)):
        if not isinstance(endpoint, int) or ev.side_conns(endpoint, other, direction) & want:
            continue
        why = explain_side(ev, endpoint, other, direction, want)
        isolating = ", ".join(ref for ref, _ in why.isolating[:2])
        closest = why.misses[0] if why.misses else None
        miss = f"; closest miss: {closest.policy} rule {closest.rule}: {closest.text}" if closest else ""
        return f"{direction.value.lower()} of {why.endpoint} is isolated by {isolating}{miss}"
    return "no side admits it"
