"""Two versions of a cluster in one z3 question: a flow HEAD allows and BASE denies, from any pod
that could exist (issue 12, point 12: a rule opened to every namespace when the input holds one).

Both versions are encoded over one vocabulary (the union of what either mentions) and the same
endpoint variables, so "allowed on HEAD and denied on BASE" is a single formula. Namespace labels
are HEAD's where a namespace is on both sides.
"""

from __future__ import annotations

import z3

from policylint.engine.connset import ConnSet
from policylint.engine.flow import Assumptions
from policylint.engine.smt.encode import Encoder, FlowVars, Pods
from policylint.engine.smt.solve import Budget, BudgetSpent, Sat, Undecided, check
from policylint.engine.smt.symbols import NAME, Universe, fresh_endpoint, same_namespace_same_labels
from policylint.engine.smt.witness import Witness, read_witness
from policylint.model import PROTOCOLS, Cluster, LabelSelector, Operator, Requirement


class ChangeEngine:
    """Questions about BASE and HEAD at once; one z3 context, one solver per question."""

    def __init__(
        self, base: Cluster, head: Cluster, assumptions: Assumptions | None = None,
        timeout_ms: int = 5_000, budget: Budget | None = None,
    ) -> None:  # fmt: skip
        assumptions = assumptions or Assumptions()
        if assumptions.ipblocks_match_pods:
            raise NotImplementedError("the SMT encoding does not model ipBlocks matching pod addresses yet")
        self.base, self.head, self.timeout_ms = base, head, timeout_ms
        self.budget = budget if budget is not None else Budget(60.0)
        self.ctx = z3.Context()
        _sort, consts = z3.EnumSort("Protocol", [p.value for p in PROTOCOLS], ctx=self.ctx)
        self.protos = dict(zip(PROTOCOLS, consts, strict=True))
        # HEAD first: its namespaces (and their labels) win where both sides define one.
        both = Cluster.of(
            [*head.namespaces, *base.namespaces], [*head.workloads, *base.workloads], (),
            [*head.policies, *base.policies], (*head.tiers, *base.tiers),
        )  # fmt: skip
        self.u = Universe.of(both)
        self.encoders = (Encoder(base, self.u, assumptions, self.protos, self.budget),
                         Encoder(head, self.u, assumptions, self.protos, self.budget))  # fmt: skip

    def opened_from_elsewhere(self, head_index: int, conns: ConnSet | None = None) -> Witness | Undecided | None:
        """A pod that could exist, in a namespace other than HEAD workload `head_index`'s, that HEAD
        allows to reach it (on `conns`, None: any port) and BASE does not; None when there is none.
        The workload is taken with its HEAD labels on both sides. Building counts against the budget."""
        spent = self.budget.exhausted()
        if spent is not None:
            return spent
        self.budget.start_question(self.timeout_ms)
        try:
            return self._opened_from_elsewhere(head_index, conns)
        except BudgetSpent as over:
            return over.undecided

    def _opened_from_elsewhere(self, head_index: int, conns: ConnSet | None) -> Witness | Undecided | None:
        base_enc, head_enc = self.encoders
        target = self.head.workloads[head_index]
        src, dst = fresh_endpoint(self.ctx, self.u, "src"), fresh_endpoint(self.ctx, self.u, "dst")
        proto = z3.Const("protocol", next(iter(self.protos.values())).sort())
        flow = FlowVars(src, dst, proto, z3.BitVec("port", 16, self.ctx))
        elsewhere = LabelSelector(match_expressions=(Requirement(NAME, Operator.NOT_IN, (target.namespace,)),))
        formulas = head_enc.constrain(src, Pods(namespace_selector=elsewhere)) + head_enc.bind_workload(dst, head_index)
        dst.known = None  # the index is HEAD's: BASE's encoder must not read it as one of its workloads
        formulas += [head_enc.allowed(flow), z3.Not(base_enc.allowed(flow)), flow.port != 0]
        formulas.append(same_namespace_same_labels(src, dst))
        if conns is not None:
            terms = [z3.And(proto == self.protos[p], z3.ULE(lo, flow.port), z3.ULE(flow.port, hi))
                     for p, intervals in conns.items() for lo, hi in intervals]  # fmt: skip
            formulas.append(z3.Or(*terms) if terms else z3.BoolVal(False, self.ctx))
        answer = check(self.ctx, formulas, self.timeout_ms, self.budget)
        if isinstance(answer, Sat):
            witness = read_witness(answer.model, self.u, flow, self.protos)
            return Witness(witness.src, head_index, witness.protocol, witness.port)
        return answer
