"""Model -> z3 formulas, one method per clause of the API reference (independent of concrete.py)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

import z3

from policylint.engine.flow import Assumptions, IPAddress
from policylint.engine.smt.form import FormEncoder
from policylint.engine.smt.solve import Budget
from policylint.engine.smt.symbols import (
    NAME,
    Endpoint,
    Universe,
    Z,
    axioms_size,
    in_network,
    label_facts,
    pod_axioms,
    same_namespace_same_labels,
)
from policylint.model import (
    Cluster,
    Direction,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    Operator,
    Peer,
    PortSpec,
    Protocol,
    Requirement,
    Rule,
)
from policylint.model.selector import NEGATED_STRING_OPERATORS, STRING_OPERATORS, string_test

MAX_PORT = 65535


@dataclass(frozen=True)
class Pods:
    """Any pod matching all given constraints; None = unconstrained. `namespace` may be a name no
    manifest defines (a new namespace: its labels are then free, apart from the name label)."""

    namespace: str | None = None
    namespace_selector: LabelSelector | None = None
    pod_selector: LabelSelector | None = None
    host_network: bool | None = None


@dataclass(frozen=True)
class Addresses:
    """Any external address inside `network`."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AnyEndpoint:
    """Any pod (in any namespace, known or not) or any external address."""


# int: a known workload (index in Cluster.workloads); IPAddress: one external address.
EndpointSpec = int | IPAddress | Addresses | Pods | AnyEndpoint


@dataclass
class FlowVars:
    src: Endpoint
    dst: Endpoint
    proto: Z
    port: Z  # 16-bit, never 0


class Encoder:
    def __init__(
        self, cluster: Cluster, u: Universe, assumptions: Assumptions, protos: dict[Protocol, Z], budget: Budget
    ) -> None:
        self.cluster, self.u, self.assumptions, self.protos = cluster, u, assumptions, protos
        self.budget = budget  # every builder charges the terms it makes, so building is bounded too
        # Formula order decides which witness z3 finds: make it independent of input order.
        self.policies = sorted(cluster.policies, key=lambda p: (p.namespace, p.name))
        self.ctx = next(iter(protos.values())).ctx
        self.true, self.false = z3.BoolVal(True, self.ctx), z3.BoolVal(False, self.ctx)
        # Formulas over the same endpoint variables are reused across questions. Keys are ids;
        # the keyed objects are kept in the value so an id can never be recycled.
        self._memo: dict[tuple[object, ...], tuple[tuple[object, ...], Z]] = {}

    def _memoized(self, kind: str, objs: tuple[object, ...], build: Callable[[], Z]) -> Z:
        key = (kind, *map(id, objs))
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = (objs, build())
        return hit[1]

    def any(self, terms: list[Z]) -> Z:
        return z3.Or(*terms) if terms else self.false

    def all(self, terms: list[Z]) -> Z:
        return z3.And(*terms) if terms else self.true

    # -- endpoints a question is about ------------------------------------------------------
    def constrain(self, ep: Endpoint, spec: EndpointSpec) -> list[Z]:
        if isinstance(spec, int):
            return self.bind_workload(ep, spec)
        if isinstance(spec, ipaddress.IPv4Address | ipaddress.IPv6Address):
            spec = Addresses(ipaddress.ip_network(spec))
        if isinstance(spec, Addresses):
            return [ep.ext, in_network(ep, spec.network)]
        # The same for every question about this endpoint, and costly with many namespaces.
        out = [self._memoized("pod_axioms", (ep,), lambda: self._axioms(ep))]
        if isinstance(spec, AnyEndpoint):
            return out
        out.append(z3.Not(ep.ext))
        if spec.namespace is not None:
            out.append(self.in_namespace(ep, spec.namespace))
        if spec.namespace_selector is not None:
            out.append(self.selector(spec.namespace_selector, ep.ns_has, ep.ns_val, ep.ns_text))
        if spec.pod_selector is not None:
            out.append(self.selector(spec.pod_selector, ep.has, ep.val, ep.text))
        if spec.host_network is not None:
            out.append(ep.host == spec.host_network)
        return out

    def _axioms(self, ep: Endpoint) -> Z:
        self.budget.charge_terms(axioms_size(self.u))
        return self.all(pod_axioms(ep, self.u))

    def same_namespace(self, a: Endpoint, b: Endpoint) -> Z:
        """Two pods in one namespace see the same namespace labels (built once per pair of endpoints)."""
        size = 2 * len(self.u.values)
        def build() -> Z:
            self.budget.charge_terms(size)
            return same_namespace_same_labels(a, b)

        return self._memoized("same_ns", (a, b), build)

    def bind_workload(self, ep: Endpoint, index: int) -> list[Z]:
        self.budget.charge_terms(2 * len(self.u.values) + len(self.u.port_names))
        w = self.cluster.workloads[index]
        ep.known = index
        out = [z3.Not(ep.ext), ep.host == w.host_network, label_facts(ep.has, ep.val, self.u, w.labels)]
        out.append(label_facts(ep.ns_has, ep.ns_val, self.u, self.u.namespaces.get(w.namespace, {NAME: w.namespace})))
        for name, proto in self.u.port_names:
            number = w.named_port(name, proto)
            out.append(ep.np_has[(name, proto)] == (number is not None))
            if number is not None:
                out.append(ep.np_port[(name, proto)] == number)
        return out

    # -- selection -------------------------------------------------------------------------
    def selector(self, sel: LabelSelector, has: dict[str, Z], val: dict[str, Z], text: dict[str, Z]) -> Z:
        """matchLabels and matchExpressions ANDed; the empty selector is True. `text`: the values
        of "other" indices, as strings, of the keys string operators test (`Universe.strings`)."""
        self.budget.charge_terms(1 + len(sel.match_labels) + sum(1 + len(r.values) for r in sel.match_expressions))
        terms = [z3.And(has[k], val[k] == self.u.index(k, v)) for k, v in sel.match_labels]
        return self.all(terms + [self.requirement(r, has, val, text) for r in sel.match_expressions])

    def requirement(self, r: Requirement, has: dict[str, Z], val: dict[str, Z], text: dict[str, Z]) -> Z:
        present, value = has[r.key], val[r.key]
        listed = self.any([value == self.u.index(r.key, v) for v in r.values])
        if r.operator is Operator.IN:
            return z3.And(present, listed)
        if r.operator is Operator.NOT_IN:  # also matches pods lacking the key
            return z3.Or(z3.Not(present), z3.Not(listed))
        if r.operator in STRING_OPERATORS or r.operator in NEGATED_STRING_OPERATORS:
            return self.string_requirement(r, present, value, text.get(r.key))
        return present if r.operator is Operator.EXISTS else z3.Not(present)

    def string_requirement(self, r: Requirement, present: Z, value: Z, text: Z | None) -> Z:
        """Calico's contains / starts with / ends with: decided per value for the values the
        universe holds, and on the string `text` for the value an "other" index stands for (values
        nobody mentions differ here: "foo" contains "o", "bar" does not). Without `text` (the
        namespace name key) "other" values fail every test (`Universe.value` invents such ones)."""
        if r.values[0] == "":  # every value contains, starts and ends with the empty string
            passing = self.true
        else:
            vs = self.u.values[r.key]
            passing = self.any([value == self.u.index(r.key, v) for v in vs if string_test(r.operator, r.values[0], v)])
            if text is not None:
                passing = z3.Or(passing, z3.And(value >= len(vs), _string_test(r.operator, r.values[0], text)))
        if r.operator in STRING_OPERATORS:
            return z3.And(present, passing)
        return z3.Or(z3.Not(present), z3.Not(passing))

    def selectable(self, ep: Endpoint) -> Z:
        """Policies and pod/namespace selectors see pods only, and hostNetwork pods only if assumed."""
        if self.assumptions.host_network_selectable:
            return z3.Not(ep.ext)
        return z3.And(z3.Not(ep.ext), z3.Not(ep.host))

    def in_namespace(self, ep: Endpoint, namespace: str) -> Z:
        if not self.u.knows(NAME, namespace):
            return self.false  # a name outside the universe: no pod of interest lives there
        return ep.ns_val[NAME] == self.u.index(NAME, namespace)

    def selects(self, policy: NetworkPolicy, ep: Endpoint) -> Z:
        """spec.podSelector picks pods of the policy's own namespace."""
        return self._memoized("selects", (policy, ep), lambda: z3.And(
            self.selectable(ep),
            self.in_namespace(ep, policy.namespace),
            self.selector(policy.pod_selector, ep.has, ep.val, ep.text),
        ))

    # -- peers and ports -------------------------------------------------------------------
    def peer(self, policy: NetworkPolicy, peer: Peer, other: Endpoint) -> Z:
        if peer.ip_block is not None:
            return self.ip_block(peer.ip_block, other)
        if peer.pod_selector is None and peer.namespace_selector is None:
            return self.false  # rejected by the API server: a peer must say something
        terms = [self.selectable(other)]
        if peer.namespace_selector is None:  # a bare podSelector means the policy's namespace
            terms.append(self.in_namespace(other, policy.namespace))
        else:
            terms.append(self.selector(peer.namespace_selector, other.ns_has, other.ns_val, other.ns_text))
        if peer.pod_selector is not None:
            terms.append(self.selector(peer.pod_selector, other.has, other.val, other.text))
        return z3.And(*terms)

    def ip_block(self, block: IPBlock, ep: Endpoint) -> Z:
        """cidr minus excepts; addresses outside the cluster only (ipBlocks never match pods)."""
        net = block.network
        if net is None:
            return self.false
        excepts = [e for e in block.except_networks if e is not None and e.version == net.version]
        return z3.And(ep.ext, in_network(ep, net), *[z3.Not(in_network(ep, e)) for e in excepts])

    def port(self, spec: PortSpec, dst: Endpoint, flow: FlowVars) -> Z:
        proto = flow.proto == self.protos[spec.protocol]
        if spec.port is None:
            return proto
        if isinstance(spec.port, str):  # resolved on the destination pod, by name and protocol
            key = (spec.port, spec.protocol)
            return z3.And(proto, z3.Not(dst.ext), dst.np_has[key], dst.np_port[key] == flow.port)
        lo, hi = spec.port, spec.port if spec.end_port is None else spec.end_port
        if not 1 <= lo <= hi <= MAX_PORT:  # the API server rejects these; they admit nothing
            return self.false
        return z3.And(proto, z3.ULE(lo, flow.port), z3.ULE(flow.port, hi))

    def rule(self, policy: NetworkPolicy, rule: Rule, other: Endpoint, flow: FlowVars) -> Z:
        """A rule admits the flow if some peer matches the other end and some port matches."""
        return self._memoized("rule", (policy, rule, other, flow), lambda: self._rule(policy, rule, other, flow))

    def _rule(self, policy: NetworkPolicy, rule: Rule, other: Endpoint, flow: FlowVars) -> Z:
        self.budget.charge_terms(1 + len(rule.peers or ()) + len(rule.ports or ()))
        peers = self.true if rule.all_peers else self.any([self.peer(policy, p, other) for p in rule.peers or ()])
        ports = self.true if rule.all_ports else self.any([self.port(s, flow.dst, flow) for s in rule.ports or ()])
        return z3.And(peers, ports)

    # -- isolation and the flow ------------------------------------------------------------
    def side(
        self, ep: Endpoint, other: Endpoint, direction: Direction, flow: FlowVars, only: frozenset[str] | None = None
    ) -> Z:
        """Allowed at `ep` in `direction`: not isolated, or some rule of a selecting policy admits it.
        `only`: the namespaces `ep` is known to lie in (policies elsewhere cannot select it)."""
        build = lambda: self._side(ep, other, direction, flow, only)  # noqa: E731
        scope = "*" if only is None else ",".join(sorted(only))
        return self._memoized(f"side-{direction.value}-{scope}", (ep, other, flow), build)

    def _side(
        self, ep: Endpoint, other: Endpoint, direction: Direction, flow: FlowVars, only: frozenset[str] | None
    ) -> Z:
        if self.cluster.tiers:
            np = lambda: self._np(ep, other, direction, flow, only)  # noqa: E731
            return FormEncoder(self).side(ep, other, direction, flow, np)
        isolated, allowed = self._np(ep, other, direction, flow, only)
        return z3.Or(z3.Not(isolated), allowed)

    def _np(
        self, ep: Endpoint, other: Endpoint, direction: Direction, flow: FlowVars, only: frozenset[str] | None
    ) -> tuple[Z, Z]:
        """(isolated, some rule of a selecting policy admits) for NetworkPolicy v1 at `ep`."""
        isolating, allowing = [], []
        self.budget.charge_terms(2 * len(self.policies))
        for policy in self.policies:
            if not policy.isolates(direction) or (only is not None and policy.namespace not in only):
                continue
            selected = self.selects(policy, ep)
            isolating.append(selected)
            rules = [self.rule(policy, r, other, flow) for r in policy.rules(direction)]
            allowing.append(z3.And(selected, self.any(rules)))
        return self.any(isolating), self.any(allowing)

    def allowed(self, flow: FlowVars, src_in: frozenset[str] | None = None, dst_in: frozenset[str] | None = None) -> Z:
        """Egress allowed at the source AND ingress allowed at the destination; a workload may
        always reach itself. `src_in`/`dst_in`: namespaces the question confines each end to, so
        that only their policies are encoded (a large cluster's others cost time, not meaning)."""
        if flow.src.known is not None and flow.src.known == flow.dst.known:
            return self.true
        egress = self.side(flow.src, flow.dst, Direction.EGRESS, flow, src_in)
        return z3.And(egress, self.side(flow.dst, flow.src, Direction.INGRESS, flow, dst_in))


def confined(cluster: Cluster, spec: EndpointSpec) -> frozenset[str] | None:
    """The namespaces an endpoint matching `spec` must lie in (empty: outside the cluster), or
    None when it may be in any (the `only` of `Encoder.side`)."""
    if isinstance(spec, int):
        return frozenset((cluster.workloads[spec].namespace,))
    if isinstance(spec, ipaddress.IPv4Address | ipaddress.IPv6Address | Addresses):
        return frozenset()
    if isinstance(spec, Pods) and spec.namespace is not None:
        return frozenset((spec.namespace,))
    return None


def _string_test(op: Operator, value: str, text: Z) -> Z:
    """`string_test` on a z3 string."""
    base = NEGATED_STRING_OPERATORS.get(op, op)
    needle = z3.StringVal(value, text.ctx)
    if base is Operator.CONTAINS:
        return z3.Contains(text, needle)
    if base is Operator.STARTS_WITH:
        return z3.PrefixOf(needle, text)
    return z3.SuffixOf(needle, text)
