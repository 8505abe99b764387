"""Witnesses read from a z3 model, and their re-check by the concrete evaluator."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import z3

from policylint.engine.flow import Assumptions, Endpoint, Flow, IPAddress, Verdict
from policylint.engine.smt.encode import FlowVars
from policylint.engine.smt.symbols import NAME, Universe, Z
from policylint.engine.smt.symbols import Endpoint as Sym
from policylint.model import Cluster, ContainerPort, Direction, Namespace, NetworkPolicy, Protocol, Rule, Workload


@dataclass(frozen=True)
class SyntheticPod:
    """A pod no manifest defines, described fully enough to add it to a copy of the cluster."""

    namespace: str
    namespace_labels: dict[str, str] = field(hash=False)  # includes the name label
    labels: dict[str, str] = field(hash=False)
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False
    new_namespace: bool = False  # the namespace is not in the cluster: add it with these labels


WitnessEndpoint = int | IPAddress | SyntheticPod


@dataclass(frozen=True)
class Witness:
    src: WitnessEndpoint
    dst: WitnessEndpoint
    protocol: Protocol
    port: int


def read_witness(model: Z, u: Universe, flow: FlowVars, protos: dict[Protocol, Z]) -> Witness:
    def ev(term: Z) -> Z:
        return model.eval(term, model_completion=True)

    proto = next(p for p, c in protos.items() if z3.is_true(ev(flow.proto == c)))
    src, dst = (read_endpoint(ev, u, ep) for ep in (flow.src, flow.dst))
    return Witness(src, dst, proto, ev(flow.port).as_long())


def read_endpoint(ev: Z, u: Universe, ep: Sym) -> WitnessEndpoint:
    if ep.known is not None:
        return ep.known
    if z3.is_true(ev(ep.ext)):
        if z3.is_true(ev(ep.v6)):
            return ipaddress.IPv6Address(ev(ep.ip6).as_long())
        return ipaddress.IPv4Address(ev(ep.ip4).as_long())

    def value(key: str, i: int, text: dict[str, Z]) -> str:
        if key in text and i >= len(u.values[key]):  # an "other" value the model spells out
            return str(ev(text[key]).as_string())
        return u.value(key, i)

    def labels(has: dict[str, Z], val: dict[str, Z], text: dict[str, Z]) -> dict[str, str]:
        return {k: value(k, ev(val[k]).as_long(), text) for k in u.values if z3.is_true(ev(has[k]))}

    ns_labels = labels(ep.ns_has, ep.ns_val, ep.ns_text)
    name = ns_labels[NAME]
    ports = tuple(
        ContainerPort(ev(ep.np_port[n]).as_long(), n[1], n[0]) for n in u.port_names if z3.is_true(ev(ep.np_has[n]))
    )
    host = z3.is_true(ev(ep.host))
    new = name not in u.namespaces
    return SyntheticPod(name, u.namespaces.get(name, ns_labels), labels(ep.has, ep.val, ep.text), ports, host, new)


def materialize(cluster: Cluster, witness: Witness) -> tuple[Cluster, Flow]:
    """A copy of the cluster with the witness's synthetic pods (and new namespaces) added."""
    namespaces, workloads = list(cluster.namespaces), list(cluster.workloads)
    ends: list[Endpoint] = []
    for role, end in (("src", witness.src), ("dst", witness.dst)):
        if not isinstance(end, SyntheticPod):
            ends.append(end)
            continue
        if end.new_namespace and end.namespace not in {n.name for n in namespaces}:
            namespaces.append(Namespace(end.namespace, dict(end.namespace_labels)))
        name = f"policylint-witness-{role}"
        workloads.append(Workload(end.namespace, name, "Pod", dict(end.labels), end.ports, end.host_network))
        ends.append(len(workloads) - 1)
    copy = Cluster.of(namespaces, workloads, cluster.services, cluster.policies, cluster.tiers)
    return copy, Flow(ends[0], ends[1], witness.protocol, witness.port)


def concrete_verdict(cluster: Cluster, witness: Witness, assumptions: Assumptions | None = None) -> Verdict:
    """The concrete evaluator's verdict on the witness flow, in a copy of the cluster."""
    from policylint.engine.concrete import Evaluator  # the SMT side must not depend on it to encode

    copy, flow = materialize(cluster, witness)
    return Evaluator(copy, assumptions or Assumptions()).verdict(flow)


def verify_witness(cluster: Cluster, witness: Witness, assumptions: Assumptions | None = None) -> bool:
    """True iff the concrete evaluator also allows the witness flow."""
    return concrete_verdict(cluster, witness, assumptions).allowed


def verify_uncovered(
    cluster: Cluster,
    witness: Witness,
    subject: tuple[NetworkPolicy, Rule],
    others: list[tuple[NetworkPolicy, Rule]],
    assumptions: Assumptions | None = None,
) -> bool:
    """True iff, concretely, the subject rule admits the witness flow and no rule in `others` does."""
    verdict = concrete_verdict(cluster, witness, assumptions)
    direction = subject[1].direction
    side = verdict.ingress if direction is Direction.INGRESS else verdict.egress
    admitted = {(r.policy.ref, r.rule.index) for r in side.allowing}
    rest = {(p.ref, r.index) for p, r in others if r.direction is direction}
    return (subject[0].ref, subject[1].index) in admitted and not admitted & rest
