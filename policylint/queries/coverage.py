"""Coverage questions the redundancy, blocking and intent rules share.

Concrete side (the input's workloads plus the external address atoms): is a rule's allowed set
covered by other rules, which rules overlap it, which pods back a Service, which sources reach a
pod on a port. Symbolic side (every possible pod, namespace and address, through SmtEngine):
is a rule covered by other rules, does one pod selection contain another, and is there a flow
between two endpoint expressions that the policies allow (or block).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import CompiledRule, Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions, Flow, SideVerdict
from policylint.engine.selectors import matches
from policylint.engine.smt import Addresses, AnyEndpoint, Budget, Pods, SmtEngine, SyntheticPod, Undecided, Witness
from policylint.engine.smt import EndpointSpec as SymbolicSpec
from policylint.engine.smt.symbols import NAME
from policylint.engine.smt.witness import WitnessEndpoint, materialize
from policylint.model import (
    Cluster,
    ContainerPort,
    Direction,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    Protocol,
    Rule,
    Service,
    Workload,
)
from policylint.queries.endpoints import EndpointError, EndpointSpec
from policylint.queries.explain import explain_side

PolicyRule = tuple[NetworkPolicy, Rule]
Pieces = list[tuple[int, ConnSet]]


# -- concrete coverage ---------------------------------------------------------------------------


def leftover(bits: int, need: ConnSet, pieces: Iterable[tuple[int, ConnSet]]) -> bool:
    """Is some member of `bits` still owed part of `need` after every (members, conns) piece?"""
    regions: dict[ConnSet, int] = {need: bits} if bits and need else {}
    for members, conns in pieces:
        if not regions:
            break
        if not members or not conns:
            continue
        nxt: dict[ConnSet, int] = {}
        for owed, owing in regions.items():
            inside, outside = owing & members, owing & ~members
            if outside:
                nxt[owed] = nxt.get(owed, 0) | outside
            rest = owed - conns if inside else None
            if rest:
                nxt[rest] = nxt.get(rest, 0) | inside
        regions = nxt
    return bool(regions)


def _named(rules: Iterable[CompiledRule]) -> bool:
    return any(r.ports.named for r in rules)


def side_uncovered(ev: Evaluator, subject: CompiledRule, others: Sequence[CompiledRule], target: int) -> bool:
    """Does `subject` admit, for workload `target`, a peer/port that no rule in `others` admits?
    Traffic of a workload to itself is always allowed, so it never counts."""
    direction = subject.rule.direction
    pods = subject.pods & ~(1 << target)
    if direction is Direction.INGRESS:
        dst = ev.workloads[target]
        need = subject.ports.for_destination(dst)
        pieces = [(o.pods, o.ports.for_destination(dst)) for o in others]
        atoms = [(o.atoms, o.ports.for_destination(dst)) for o in others]
        return leftover(pods, need, pieces) or leftover(subject.atoms, need, atoms)
    atoms = [(o.atoms, o.ports.numeric) for o in others]
    if leftover(subject.atoms, subject.ports.numeric, atoms):
        return True
    if not _named([subject, *others]):
        return leftover(pods, subject.ports.numeric, [(o.pods, o.ports.numeric) for o in others])
    for p in bit_indices(pods):
        w = ev.workloads[p]
        if leftover(1 << p, subject.ports.for_destination(w), [(o.pods, o.ports.for_destination(w)) for o in others]):
            return True
    return False


def overlaps(ev: Evaluator, subject: CompiledRule, other: CompiledRule, target: int) -> bool:
    """Do the two rules admit a common peer and port for `target` (a peer-level approximation)?"""
    dst = ev.workloads[target] if subject.rule.direction is Direction.INGRESS else None
    common = subject.ports.for_destination(dst) & other.ports.for_destination(dst)
    named = subject.ports.named or other.ports.named
    return bool((subject.pods & other.pods) or (subject.atoms & other.atoms)) and bool(common or named)


def target_groups(ev: Evaluator, policy_index: int, direction: Direction) -> dict[tuple[object, ...], int]:
    """The workloads a policy selects, grouped by the policies isolating them (one representative
    each, unless ingress named ports make the workloads' own ports matter)."""
    groups: dict[tuple[object, ...], int] = {}
    for w in bit_indices(ev.selected[policy_index]):
        key: tuple[object, ...] = tuple(ev.isolating_policies(w, direction))
        if direction is Direction.INGRESS:
            key += tuple((p.name, p.port, p.protocol) for p in ev.workloads[w].ports if p.name)
        groups.setdefault(key, w)
    return groups


@dataclass(frozen=True, slots=True)
class ConcreteCoverage:
    covered: bool
    overlapping: tuple[CompiledRule, ...]  # the other rules that share peers and ports with it


def concrete_rule_coverage(
    ev: Evaluator, policy_index: int, subject: CompiledRule, excluded: frozenset[int] = frozenset()
) -> ConcreteCoverage:
    """Is `subject` (a rule of policy `policy_index`) covered, for every workload the policy
    selects, by the other rules isolating that workload? `excluded` holds id()s of rules that do
    not count (e.g. rules already reported as shadowed)."""
    direction = subject.rule.direction
    overlapping: dict[int, CompiledRule] = {}
    for w in target_groups(ev, policy_index, direction).values():
        others = [r for r in ev.rules_for(w, direction) if r is not subject and id(r) not in excluded]
        if side_uncovered(ev, subject, others, w):
            return ConcreteCoverage(False, ())
        overlapping.update((id(o), o) for o in others if overlaps(ev, subject, o, w))
    return ConcreteCoverage(True, tuple(overlapping.values()))


REPRESENTATIVE_VALUE = "policylint-any"


def representative(selector: LabelSelector, base: dict[str, str] | None = None) -> dict[str, str] | None:
    """The fewest labels (on top of `base`) a pod needs to match `selector`; None if impossible."""
    labels = dict(base or {})
    for key, value in selector.match_labels:
        if labels.setdefault(key, value) != value:
            return None
    for r in selector.match_expressions:
        if r.operator is Operator.IN and r.values:
            labels.setdefault(r.key, r.values[0])
        elif r.operator is Operator.EXISTS:
            labels.setdefault(r.key, REPRESENTATIVE_VALUE)
    return labels if matches(selector, labels) else None


def _peer_pod(cluster: Cluster, policy: NetworkPolicy, peer: Peer, n: int) -> tuple[Namespace | None, Workload] | None:
    if peer.pod_selector is None and peer.namespace_selector is None:
        return None
    labels = representative(peer.pod_selector or LabelSelector())
    if peer.namespace_selector is None:
        return (None, Workload(policy.namespace, f"policylint-peer-{n}", "Pod", labels)) if labels is not None else None
    ns_labels = representative(peer.namespace_selector)
    if labels is None or ns_labels is None:
        return None
    name = ns_labels.get(NAME, f"policylint-ns-{n}")
    known = cluster.namespace_index.get(name)
    if known is not None and not matches(peer.namespace_selector, known.labels):
        return None
    namespace = None if known is not None else Namespace(name, ns_labels)
    return namespace, Workload(name, f"policylint-peer-{n}", "Pod", labels)


def with_representatives(cluster: Cluster) -> Cluster:
    """A copy of `cluster` plus one synthetic pod per policy selector and per selector peer, each
    with the fewest labels that match and every container port name the rules use. Coverage that
    fails on this cluster fails for all pods, and rules whose peers match no workload of the
    input still get a concrete allowed set."""
    namespaces, workloads = list(cluster.namespaces), list(cluster.workloads)
    rules = [r for p in cluster.policies for r in (p.ingress or ()) + (p.egress or ())]
    names = sorted({(s.port, s.protocol.value) for r in rules for s in r.ports or () if isinstance(s.port, str)})
    ports = tuple(ContainerPort(30000 + i, Protocol(proto), name) for i, (name, proto) in enumerate(names))
    for policy in cluster.policies:
        labels = representative(policy.pod_selector)
        if labels is not None:
            workloads.append(Workload(policy.namespace, f"policylint-target-{len(workloads)}", "Pod", labels, ports))
        for rule in (policy.ingress or ()) + (policy.egress or ()):
            for peer in rule.peers or ():
                found = _peer_pod(cluster, policy, peer, len(workloads))
                if found is not None:
                    namespaces += [found[0]] if found[0] is not None else []
                    workloads.append(dataclasses.replace(found[1], ports=ports))
    return Cluster.of(namespaces, workloads, cluster.services, cluster.policies)


def representatives_evaluator(ev: Evaluator) -> Evaluator:
    return Evaluator(with_representatives(ev.cluster), ev.assumptions)


def admits_anything(ev: Evaluator, policy_index: int, subject: CompiledRule) -> bool:
    """Does the rule admit any peer and port for some workload its policy selects (self aside)?"""
    return any(side_uncovered(ev, subject, [], w) for w in bit_indices(ev.selected[policy_index]))


def rule_label(policy: NetworkPolicy, rule: Rule) -> str:
    return f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"


def rule_list(pairs: Sequence[PolicyRule], limit: int = 4) -> str:
    names = [rule_label(p, r) for p, r in pairs]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


# -- symbolic coverage ---------------------------------------------------------------------------


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


def selection_covered(
    engine: SmtEngine, policy: NetworkPolicy, others: Sequence[NetworkPolicy], direction: Direction
) -> bool | Undecided:
    """Is every possible pod `policy` selects also selected by one of `others`? (Each policy gets
    one allow-all rule, so rule coverage becomes selection containment.)"""
    allow_all = Rule(direction, 0)
    subject = with_rules(policy, direction, (allow_all,))
    covering = [(with_rules(o, direction, (allow_all,)), allow_all) for o in others]
    return engine.rule_covered(subject, allow_all, covering)


def peer_covered(engine: SmtEngine, policy: NetworkPolicy, rule: Rule, inner: int, outer: int) -> bool | Undecided:
    """Does peer `outer` of `rule` match every pod and address peer `inner` matches (all pods)?"""
    peers = rule.peers or ()
    a = dataclasses.replace(rule, index=0, peers=(peers[inner],), ports=None)
    b = dataclasses.replace(rule, index=1, peers=(peers[outer],), ports=None)
    host = with_rules(dataclasses.replace(policy, pod_selector=LabelSelector()), rule.direction, (a, b))
    return engine.rule_covered(host, a, [(host, b)])


# -- services ------------------------------------------------------------------------------------


def backends(ev: Evaluator, service: Service) -> int:
    """Workloads of the Service's namespace whose labels match its selector (None: no backends)."""
    if not service.selector:
        return 0
    selector = LabelSelector(tuple(sorted(service.selector.items())))
    return ev.index.pods.select(selector) & ev.index.in_namespace(service.namespace)


def target_port(workload: Workload, port: int | str | None, service_port: int, protocol: Protocol) -> int | None:
    """The pod port a Service port sends to on `workload` (None: a name the pod does not define)."""
    if port is None:
        return service_port
    if isinstance(port, int):
        return port
    return workload.named_port(port, protocol)


def reachable_from_somewhere(ev: Evaluator, backend: int, protocol: Protocol, port: int) -> bool:
    """Can any other workload or any external address open (protocol, port) to `backend`?"""
    if not ev.is_isolated(backend, Direction.INGRESS):
        return True
    dst = ev.workloads[backend]
    candidates = 0
    for rule in ev.rules_for(backend, Direction.INGRESS):
        if rule.ports.for_destination(dst).contains(protocol, port):
            if rule.atoms:
                return True
            candidates |= rule.pods
    candidates &= ~(1 << backend)
    return any(ev.allowed_conns(s, backend).contains(protocol, port) for s in bit_indices(candidates))


# -- flows between endpoint expressions (intent) -------------------------------------------------


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
