"""Symbolic questions over ALL pods, namespaces, addresses and ports, answered by z3.

This package is the only importer of z3. Every answer is a plain value, a `Witness` that the
concrete evaluator can re-check (`verify_witness`), or an explicit `Undecided`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

import z3

from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions, Endpoint, Flow
from policylint.engine.smt.coverage import CoverageSolver
from policylint.engine.smt.encode import (
    Addresses,
    AnyEndpoint,
    Encoder,
    EndpointSpec,
    FlowVars,
    Pods,
    confined,
)
from policylint.engine.smt.form import FormEncoder
from policylint.engine.smt.solve import Budget, BudgetSpent, Sat, Undecided, check
from policylint.engine.smt.symbols import (
    NAME,
    Namespaces,
    Universe,
    Vocabulary,
    Z,
    cluster_selectors,
    fresh_endpoint,
    policy_selectors,
    variables_size,
)
from policylint.engine.smt.witness import (
    SyntheticPod,
    Witness,
    read_endpoint,
    read_witness,
    verify_uncovered,
    verify_witness,
)
from policylint.model import PROTOCOLS, Cluster, Direction, LabelSelector, NetworkPolicy, Rule
from policylint.model.rule_form import FormRule, TierPolicy

__all__ = [
    "Addresses",
    "AnyEndpoint",
    "Budget",
    "EndpointSpec",
    "Pods",
    "Prefer",
    "SmtEngine",
    "SyntheticPod",
    "TierEntry",
    "Undecided",
    "UndecidedError",
    "Witness",
    "verify_uncovered",
    "verify_witness",
]

PolicyRule = tuple[NetworkPolicy, Rule]
TierEntry = tuple[TierPolicy, FormRule]  # a rule of a tier policy


@dataclass(frozen=True)
class Prefer:
    """Flows a witness is looked for among first: on these ports; if `known_namespaces`, with pod
    ends that are ordinary pods (not hostNetwork) of namespaces the input defines; if `pods`, with
    both ends pods."""

    conns: ConnSet
    known_namespaces: bool = False
    pods: bool = False


TierRule = tuple[TierPolicy, FormRule]
T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")
DEFAULT_TIMEOUT_MS = 5_000
DEFAULT_BUDGET_SECONDS = 120.0


class UndecidedError(RuntimeError):
    """`verdict` could not be decided; carries the `Undecided`."""

    def __init__(self, undecided: Undecided) -> None:
        super().__init__(undecided.reason)
        self.undecided = undecided


def _budgeted(method: Callable[Concatenate[SmtEngine, P], R]) -> Callable[Concatenate[SmtEngine, P], R | Undecided]:
    """A question whose formulas are built inside it: asked under the run's budget (`_question`)."""

    def ask(engine: SmtEngine, /, *args: P.args, **kwargs: P.kwargs) -> R | Undecided:
        return engine._question(lambda: method(engine, *args, **kwargs))

    return ask


class SmtEngine:
    """One z3 context per engine, one solver per question; nothing global survives a call.
    Formulas are memoized per engine, so an engine is cheap to ask many questions of, but it is
    not thread-safe. `narrow_universes`: encode each question over the labels its scope's
    selectors test (True), over every label of the run (False), or narrow only when the run's
    universe is large (None, see `_narrow`)."""

    def __init__(
        self,
        cluster: Cluster,
        assumptions: Assumptions | None = None,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        budget: Budget | None = None,
        narrow_universes: bool | None = None,
    ) -> None:
        if assumptions and assumptions.ipblocks_match_pods:
            raise NotImplementedError("the SMT encoding does not model ipBlocks matching pod addresses yet")
        self.cluster, self.timeout_ms = cluster, timeout_ms
        self.assumptions = assumptions or Assumptions()
        self.budget = budget if budget is not None else Budget(DEFAULT_BUDGET_SECONDS)
        self.ctx = z3.Context()
        sort, consts = z3.EnumSort("Protocol", [p.value for p in PROTOCOLS], ctx=self.ctx)
        self.protos = dict(zip(PROTOCOLS, consts, strict=True))
        self.vocabulary = Vocabulary(cluster)
        # Scope -> its universe, and the encoder and flow variables over it once built (reused,
        # with their memoized formulas, by every question of the same scope).
        self._scopes: dict[Scope, Universe] = {}
        self._oversized: dict[Scope, Undecided] = {}  # scopes whose universe no question can afford
        self._shared: dict[Scope, tuple[Encoder, FlowVars]] = {}
        self._coverage: dict[tuple[Direction, Scope | None, tuple[LabelSelector, ...]], CoverageSolver] = {}
        self.narrow_universes = narrow_universes

    def _question(self, ask: Callable[[], T]) -> T | Undecided:
        """Ask under the budget: building the formulas counts, and an encoding over budget is
        Undecided, never a pass."""
        spent = self.budget.exhausted()
        if spent is not None:
            return spent
        self.budget.start_question(self.timeout_ms)
        try:
            return ask()
        except BudgetSpent as over:
            return over.undecided

    def _narrow(self) -> bool:
        """Whether questions get universes of their own scope. A run whose whole universe costs a
        small share of what one question may build keeps that one universe for every question
        (one encoder, formulas reused run-wide); a larger one (a huge selector, say) is narrowed
        per scope, so that it costs only the questions it can affect. Answers are the same both
        ways: a key or value no selector of the scope tests cannot change them."""
        if self.narrow_universes is None:
            fixed = self.vocabulary.fixed_size(self.vocabulary.key_count(self._scope_selectors(WHOLE)))
            self.narrow_universes = fixed * SHARED_UNIVERSE_SHARE > self.budget.question_terms(self.timeout_ms)
        return self.narrow_universes

    def _scope_universe(self, scope: Scope) -> Universe:
        u = self._scopes.get(scope)
        if u is None:
            spent = self._oversized.get(scope)
            if spent is not None:
                raise BudgetSpent(spent)
            try:
                u = self._scopes[scope] = self._build(self._scope_selectors(scope))
            except BudgetSpent as over:
                self._oversized[scope] = over.undecided
                raise
        return u

    def _build(self, selectors: list[LabelSelector]) -> Universe:
        """The universe of these selectors, unless its variables alone exceed what one question may
        build (then BudgetSpent, before a universe of 400,000 keys is built only to be refused)."""
        v = self.vocabulary
        over = self.budget.over_question(variables_size(v.key_count(selectors), len(v.port_names)), self.timeout_ms)
        if over is not None:
            raise BudgetSpent(over)
        return v.universe(selectors)

    def _scope_selectors(self, scope: Scope) -> list[LabelSelector]:
        if scope.whole:
            return cluster_selectors(self.cluster)
        v = self.vocabulary
        selectors = [*v.side(Direction.EGRESS, scope.egress), *v.side(Direction.INGRESS, scope.ingress)]
        return selectors + (v.tiers if scope.tiers else [])

    def _universe(self, scope: Scope, extra: Sequence[LabelSelector] = ()) -> tuple[Universe, Scope | None]:
        """The universe of a question: the keys and values of the selectors its formulas encode
        (`scope`, or the whole run's, see `_narrow`) and of its own endpoints (`extra`); with the
        scope whose own universe it is (None when `extra` adds to it)."""
        scope = scope if self._narrow() else WHOLE
        u = self._scope_universe(scope)
        if not extra or u.covers(extra):
            return u, scope
        return self._build([*self._scope_selectors(scope), *extra]), None

    def _setup(self, scope: Scope, extra: Sequence[LabelSelector] = ()) -> tuple[Encoder, FlowVars]:
        """Encoder and flow variables over the question's universe; those over a scope's own universe
        are reused (with their memoized formulas), a question mentioning new labels gets its own."""
        u, own = self._universe(scope, extra)
        shared = None if own is None else self._shared.get(own)
        if shared is not None:
            enc, flow = shared
            flow.src.known = flow.dst.known = None
            return enc, flow
        self.budget.charge_terms(variables_size(len(u.values), len(u.port_names)))
        src, dst = fresh_endpoint(self.ctx, u, "src"), fresh_endpoint(self.ctx, u, "dst")
        proto = z3.Const("protocol", next(iter(self.protos.values())).sort())
        flow = FlowVars(src, dst, proto, z3.BitVec("port", 16, self.ctx))
        enc = Encoder(self.cluster, u, self.assumptions, self.protos, self.budget)
        if own is not None:
            self._shared[own] = (enc, flow)
        return enc, flow

    def _flow_scope(self, src: EndpointSpec, dst: EndpointSpec) -> Scope:
        """What `Encoder.allowed` encodes for a flow between these ends: the egress policies where the
        source may lie, the ingress policies where the destination may, every tier."""
        return Scope(confined(self.cluster, src), confined(self.cluster, dst), bool(self.cluster.tiers))

    def _conns(self, flow: FlowVars, conns: ConnSet) -> Z:
        terms = [
            z3.And(flow.proto == self.protos[p], z3.ULE(lo, flow.port), z3.ULE(flow.port, hi))
            for p, intervals in conns.items()
            for lo, hi in intervals
        ]
        return z3.Or(*terms) if terms else z3.BoolVal(False, self.ctx)

    def _ask(self, enc: Encoder, flow: FlowVars, formulas: list[Z]) -> Witness | Undecided | None:
        formulas = [*formulas, flow.port != 0, enc.same_namespace(flow.src, flow.dst)]
        answer = check(self.ctx, formulas, self.timeout_ms, self.budget)
        if isinstance(answer, Sat):
            return read_witness(answer.model, enc.u, flow, self.protos)
        return answer

    def witness(
        self, src: EndpointSpec, dst: EndpointSpec, conns: ConnSet | None = None, prefer: Sequence[Prefer] = ()
    ) -> Witness | Undecided | None:
        """A flow from an endpoint matching `src` to one matching `dst`, on a (protocol, port) in
        `conns` (None: any), that the policies allow; None if there is none. When there is one,
        the flows `prefer` describes are looked for first, in order (ports the policies name, pods
        of namespaces the input has), so that a witness reads like real traffic."""
        answer = self.find(src, dst, conns)
        if not isinstance(answer, Witness):
            return answer
        for p in prefer:
            narrowed = p.conns if conns is None else p.conns & conns
            if narrowed:
                better = self.find(src, dst, narrowed, known_namespaces=p.known_namespaces, pods=p.pods)
                if isinstance(better, Witness):
                    return better
        return answer

    def find(
        self,
        src: EndpointSpec,
        dst: EndpointSpec,
        conns: ConnSet | None = None,
        allowed: bool = True,
        exempt: Sequence[EndpointSpec] = (),
        known_namespaces: bool = False,
        pods: bool = False,
    ) -> Witness | Undecided | None:
        """A flow from `src` to `dst` on a (protocol, port) in `conns` (None: any) whose verdict is
        `allowed`, with neither end matching an `exempt` spec; None when there is none.
        `known_namespaces`: pod ends are ordinary pods of namespaces the input defines; `pods`:
        both ends are pods."""
        return self._question(lambda: self._find(src, dst, conns, allowed, exempt, known_namespaces, pods))

    def _find(
        self, src: EndpointSpec, dst: EndpointSpec, conns: ConnSet | None, allowed: bool,
        exempt: Sequence[EndpointSpec], known_namespaces: bool, pods: bool,
    ) -> Witness | Undecided | None:
        extra = [s for spec in (src, dst, *exempt) for s in _spec_selectors(spec)]
        enc, flow = self._setup(self._flow_scope(src, dst), extra)
        formulas = enc.constrain(flow.src, src) + enc.constrain(flow.dst, dst)
        for spec in exempt:
            for ep in (flow.src, flow.dst):
                known = ep.known  # binding a workload to test "matches" must not bind the endpoint
                formulas.append(z3.Not(enc.all(enc.constrain(ep, spec))))
                ep.known = known
        verdict = enc.allowed(flow, confined(self.cluster, src), confined(self.cluster, dst))
        formulas.append(verdict if allowed else z3.Not(verdict))
        # Traffic between two addresses outside the cluster never meets its policies: not a flow.
        formulas.append(z3.Not(z3.And(flow.src.ext, flow.dst.ext)))
        if known_namespaces:
            names = [enc.u.index(NAME, n) for n in enc.u.namespaces if enc.u.knows(NAME, n)]
            for ep in (flow.src, flow.dst):
                formulas.append(z3.Or(ep.ext, z3.And(z3.Not(ep.host), enc.any([ep.ns_val[NAME] == i for i in names]))))
        if pods:
            formulas += [z3.Not(flow.src.ext), z3.Not(flow.dst.ext)]
        if conns is not None:
            formulas.append(self._conns(flow, conns))
        return self._ask(enc, flow, formulas)

    @_budgeted
    def pod(self, spec: Pods) -> SyntheticPod | Undecided | None:
        """A pod that could exist (in any namespace, known or not) matching `spec` on labels alone,
        policies aside; None when no pod can (its terms contradict each other)."""
        enc, flow = self._setup(Scope(), _spec_selectors(spec))  # no policy: labels alone
        answer = check(self.ctx, enc.constrain(flow.src, spec), self.timeout_ms, self.budget)
        if not isinstance(answer, Sat):
            return answer
        pod = read_endpoint(lambda term: answer.model.eval(term, model_completion=True), enc.u, flow.src)
        assert isinstance(pod, SyntheticPod)  # constrained to a pod, not bound to a workload
        return pod

    def verdict(self, flow: Flow) -> bool:
        """The verdict for one concrete flow; raises UndecidedError if z3 cannot decide."""
        answer = self.witness(flow.src, flow.dst, ConnSet.single(flow.protocol, flow.port))
        if isinstance(answer, Undecided):
            raise UndecidedError(answer)
        return answer is not None

    def conns_mismatch(self, src: Endpoint, dst: Endpoint, conns: ConnSet) -> Witness | Undecided | None:
        """A (protocol, port) from src to dst whose SMT verdict differs from membership in `conns`
        (e.g. the concrete evaluator's allowed_conns); None when they agree on every port."""

        def ask() -> Witness | Undecided | None:
            enc, flow = self._setup(self._flow_scope(src, dst))
            formulas = enc.constrain(flow.src, src) + enc.constrain(flow.dst, dst)
            verdict = enc.allowed(flow, confined(self.cluster, src), confined(self.cluster, dst))
            formulas.append(z3.Xor(verdict, self._conns(flow, conns)))
            return self._ask(enc, flow, formulas)

        return self._question(ask)

    def uncovered(self, policy: NetworkPolicy, rule: Rule, others: list[PolicyRule]) -> Witness | Undecided | None:
        """A flow that `rule` admits for a pod `policy` selects (any pod, any peer, any port) and no
        rule in `others` of the same direction admits (for a pod its policy selects); None if covered.
        The subject rule counts as written; other rules count only if in effect (policyTypes)."""
        return self._question(lambda: self._uncovered(policy, rule, others))

    def _uncovered(self, policy: NetworkPolicy, rule: Rule, others: list[PolicyRule]) -> Witness | Undecided | None:
        enc, flow = self._setup(*_coverage_scope(rule.direction, policy, [p for p, _ in others]))
        ingress = rule.direction is Direction.INGRESS
        target, peer = (flow.dst, flow.src) if ingress else (flow.src, flow.dst)
        formulas = enc.constrain(target, Pods(namespace=policy.namespace)) + enc.constrain(peer, AnyEndpoint())
        formulas += [enc.selects(policy, target), enc.rule(policy, rule, peer, flow)]
        for p, r in others:
            if r.direction is rule.direction and r in p.rules(r.direction):
                formulas.append(z3.Not(z3.And(enc.selects(p, target), enc.rule(p, r, peer, flow))))
        return self._ask(enc, flow, formulas)

    @_budgeted
    def tier_entry_reached(self, direction: Direction, musts: Sequence[TierEntry],
                           blockers: Sequence[TierEntry]) -> Witness | Undecided | None:  # fmt: skip
        """A flow in `direction` that every entry of `musts` matches (each rule, for a pod its policy
        selects: any pod, any peer, any port) and no entry of `blockers` matches; None if there is none.
        With `blockers` the entries before a rule in a first-match tier, this asks whether it can fire."""
        enc, flow = self._setup(Scope(tiers=True))  # tier policies only
        form = FormEncoder(enc)
        ingress = direction is Direction.INGRESS
        target, peer = (flow.dst, flow.src) if ingress else (flow.src, flow.dst)
        formulas = enc.constrain(target, Pods()) + enc.constrain(peer, AnyEndpoint())
        formulas += [z3.And(form.subject(p, target), form.rule(r, peer, flow)) for p, r in musts]
        formulas += [z3.Not(z3.And(form.subject(p, target), form.rule(r, peer, flow))) for p, r in blockers]
        return self._ask(enc, flow, formulas)

    @_budgeted
    def lost(self, after: Cluster, src: EndpointSpec, dst: EndpointSpec, conns: ConnSet,
             src_selected_by: TierPolicy | None = None) -> Witness | Undecided | None:  # fmt: skip
        """A flow from `src` to `dst` on `conns` that this cluster allows and `after` (the same
        workloads under other policies) denies, with the source a pod `src_selected_by` selects in
        `after` when given; None if no pod or address that could exist loses such a flow."""
        u = Universe.of(self.cluster, [*cluster_selectors(after), *_spec_selectors(src), *_spec_selectors(dst)])
        flow = FlowVars(fresh_endpoint(self.ctx, u, "src"), fresh_endpoint(self.ctx, u, "dst"),
                        z3.Const("protocol", next(iter(self.protos.values())).sort()),
                        z3.BitVec("port", 16, self.ctx))  # fmt: skip
        now = Encoder(self.cluster, u, self.assumptions, self.protos, self.budget)
        later = Encoder(after, u, self.assumptions, self.protos, self.budget)
        formulas = now.constrain(flow.src, src) + now.constrain(flow.dst, dst) + [self._conns(flow, conns)]
        formulas += [now.allowed(flow), z3.Not(later.allowed(flow))]
        if src_selected_by is not None:
            formulas.append(FormEncoder(later).subject(src_selected_by, flow.src))
        return self._ask(now, flow, formulas)

    @_budgeted
    def tier_rule_reached(
        self, policy: TierPolicy, rule: FormRule, earlier: Sequence[TierRule]
    ) -> Witness | Undecided | None:
        """A flow that `rule` matches for a pod `policy` selects (any pod that could exist, any peer,
        any port) and that no rule in `earlier` matches for a pod its own policy selects; None when
        every such flow is matched first (the rule is never reached in first-match order)."""
        enc, flow = self._setup(Scope(tiers=True))  # tier policies only
        form = FormEncoder(enc)
        ingress = rule.direction is Direction.INGRESS
        target, peer = (flow.dst, flow.src) if ingress else (flow.src, flow.dst)
        formulas = enc.constrain(target, Pods()) + enc.constrain(peer, AnyEndpoint())
        formulas += [form.subject(policy, target), form.rule(rule, peer, flow)]
        for p, r in earlier:
            formulas.append(z3.Not(z3.And(form.subject(p, target), form.rule(r, peer, flow))))
        return self._ask(enc, flow, formulas)

    def rule_covered(self, policy: NetworkPolicy, rule: Rule, others: list[PolicyRule]) -> bool | Undecided:
        """Is everything `rule` admits (over all pods, namespaces, addresses, ports) also admitted
        by the union of `others`? See `uncovered` for a counterexample."""
        answer = self.uncovered(policy, rule, others)
        return answer if isinstance(answer, Undecided) else answer is None

    def _coverage_solver(self, direction: Direction, policy: NetworkPolicy,
                         others: Sequence[NetworkPolicy]) -> CoverageSolver:  # fmt: skip
        """The incremental solver of the question's direction and namespaces (see `_coverage_scope`)."""
        scope, extra = _coverage_scope(direction, policy, others)
        _, own = self._universe(scope, extra)
        key = (direction, own, tuple(extra)) if own is None else (direction, own, ())
        solver = self._coverage.get(key)
        if solver is None:
            enc, flow = self._setup(scope, extra)
            solver = self._coverage[key] = CoverageSolver(enc, flow, direction, self.timeout_ms, self.budget)
        return solver

    def covered(self, policy: NetworkPolicy, rule: Rule, others: Sequence[PolicyRule]) -> bool | Undecided:
        """`rule_covered`, asked of one incremental solver per direction and namespaces in which every
        rule is encoded once (not once per question): for the many coverage questions of lint rules."""
        return self._question(
            lambda: self._coverage_solver(rule.direction, policy, [p for p, _ in others]).covered(policy, rule, others)
        )

    def selection_covered(
        self, policy: NetworkPolicy, others: Sequence[NetworkPolicy], direction: Direction
    ) -> bool | Undecided:
        """Is every possible pod `policy` selects also selected by one of `others`?"""
        return self._question(
            lambda: self._coverage_solver(direction, policy, others).selection_covered(policy, others)
        )


@dataclass(frozen=True)
class Scope:
    """The policies whose selectors a question's formulas encode: those isolating egress in the
    `egress` namespaces, those isolating ingress in the `ingress` namespaces (None: every
    namespace), and every tier policy if `tiers`."""

    egress: Namespaces = frozenset()
    ingress: Namespaces = frozenset()
    tiers: bool = False
    whole: bool = False  # every selector of the run (`cluster_selectors`), whatever the rest says


WHOLE = Scope(None, None, True, whole=True)
SHARED_UNIVERSE_SHARE = 4  # the whole run's universe is kept while it costs under 1/4 of a question


def _coverage_scope(
    direction: Direction, policy: NetworkPolicy, others: Sequence[NetworkPolicy]
) -> tuple[Scope, list[LabelSelector]]:
    """A coverage question encodes the target's side in the namespaces of its policies; the
    policies' own selectors come as `extra` (a subject rule counts as written, even in a direction
    its policy does not isolate)."""
    names = frozenset({policy.namespace, *(p.namespace for p in others)})
    ingress = direction is Direction.INGRESS
    scope = Scope(egress=frozenset() if ingress else names, ingress=names if ingress else frozenset())
    extra = [s for p in (policy, *others) for s in policy_selectors(p, direction)]
    return scope, extra


def _spec_selectors(spec: EndpointSpec) -> list[LabelSelector]:
    """Values a question mentions must be in the universe too (e.g. a namespace no manifest has)."""
    if not isinstance(spec, Pods):
        return []
    out = [s for s in (spec.namespace_selector, spec.pod_selector) if s is not None]
    if spec.namespace is not None:
        out.append(LabelSelector(match_labels=((NAME, spec.namespace),)))
    return out
