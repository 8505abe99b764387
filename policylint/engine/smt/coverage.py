"""Coverage questions (is a rule's, or a selection's, set contained in the union of others?) asked
of one incremental solver per direction.

Asking each question of a fresh solver re-encodes every other rule of the namespace once per
question: quadratic in the rules of a namespace (issue 17: 1,000 empty rules took 40 s; issue 18:
one skewed namespace was 45% of lint). Here each policy's selection and each rule's admitted set is
asserted once, behind a guard literal, and a question only assumes the guards it needs. The
formulas are the ones a fresh solver would get (`SmtEngine.uncovered`), so the answers are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import z3

from policylint.engine.smt.encode import AnyEndpoint, Encoder, FlowVars, Pods
from policylint.engine.smt.solve import Budget, Undecided, check
from policylint.engine.smt.symbols import Z
from policylint.model import Direction, NetworkPolicy, Rule

PolicyRule = tuple[NetworkPolicy, Rule]


class CoverageSolver:
    """Target = the pod a policy selects (the destination for ingress, the source for egress)."""

    def __init__(self, enc: Encoder, flow: FlowVars, direction: Direction, timeout_ms: int, budget: Budget) -> None:
        self.enc, self.flow, self.direction = enc, flow, direction
        self.timeout_ms, self.budget = timeout_ms, budget
        ingress = direction is Direction.INGRESS
        self.target, self.peer = (flow.dst, flow.src) if ingress else (flow.src, flow.dst)
        self.solver = z3.Solver(ctx=enc.ctx)
        base = enc.constrain(self.target, Pods()) + enc.constrain(self.peer, AnyEndpoint())
        self.solver.add(*base, flow.port != 0, enc.same_namespace(flow.src, flow.dst))
        # key -> (the keyed objects, kept so their ids stay unique; the guard literal)
        self._guards: dict[tuple[object, ...], tuple[tuple[object, ...], Z]] = {}
        self._in_effect: dict[int, frozenset[int]] = {}

    def _guard(self, kind: str, objs: tuple[object, ...], build: Callable[[], Z]) -> Z:
        key = (kind, *map(id, objs))
        hit = self._guards.get(key)
        if hit is None:
            self.budget.charge_terms(2)
            g = z3.Bool(f"{self.direction.value}.guard{len(self._guards)}", self.enc.ctx)
            self.solver.add(z3.Implies(g, build()))
            hit = self._guards[key] = (objs, g)
        return hit[1]

    def _namespace(self, namespace: str) -> Z:
        return self._guard(f"ns:{namespace}", (), lambda: self.enc.in_namespace(self.target, namespace))

    def _effective(self, policy: NetworkPolicy) -> frozenset[int]:
        """ids of the policy's rules in effect in this direction (policyTypes)."""
        ids = self._in_effect.get(id(policy))
        if ids is None:
            ids = self._in_effect[id(policy)] = frozenset(map(id, policy.rules(self.direction)))
        return ids

    def _admits(self, policy: NetworkPolicy, rule: Rule) -> Z:
        enc = self.enc
        return z3.And(enc.selects(policy, self.target), enc.rule(policy, rule, self.peer, self.flow))

    def _ask(self, assumptions: list[Z]) -> bool | Undecided:
        answer = check(self.enc.ctx, [], self.timeout_ms, self.budget, solver=self.solver, assumptions=assumptions)
        return answer if isinstance(answer, Undecided) else answer is None

    def covered(self, policy: NetworkPolicy, rule: Rule, others: Sequence[PolicyRule]) -> bool | Undecided:
        """Everything `rule` admits (as written) for a pod `policy` selects is admitted by a rule of
        `others` in effect, for a pod its policy selects."""
        subject = self._guard("admits", (policy, rule), lambda: self._admits(policy, rule))
        rest = [
            self._guard("not-admits", (p, r), lambda p=p, r=r: z3.Not(self._admits(p, r)))  # type: ignore[misc]
            for p, r in others
            if r.direction is self.direction and id(r) in self._effective(p)
        ]
        return self._ask([self._namespace(policy.namespace), subject, *rest])

    def selection_covered(self, policy: NetworkPolicy, others: Sequence[NetworkPolicy]) -> bool | Undecided:
        """Every pod `policy` selects is selected by one of `others`."""
        enc, target = self.enc, self.target
        subject = self._guard("selects", (policy,), lambda: enc.selects(policy, target))
        rest = [
            self._guard("not-selects", (o,), lambda o=o: z3.Not(enc.selects(o, target)))  # type: ignore[misc]
            for o in others
        ]
        return self._ask([self._namespace(policy.namespace), subject, *rest])
