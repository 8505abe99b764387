"""One fresh solver per question, under a per-call timeout and a run-wide budget."""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from policylint.engine.smt.symbols import Z


@dataclass(frozen=True)
class Undecided:
    """The solver could not answer (timeout, budget spent, resource limit). Never a pass."""

    reason: str


@dataclass(frozen=True)
class Sat:
    model: Z


class Budget:
    """Wall-clock seconds the whole run may spend in the solver; shared by every engine of a run."""

    def __init__(self, total_seconds: float) -> None:
        self.total = total_seconds
        self.spent = 0.0
        self.calls = 0

    def remaining_ms(self) -> int:
        return max(0, int((self.total - self.spent) * 1000))

    def charge(self, seconds: float) -> None:
        self.spent += seconds
        self.calls += 1


def check(ctx: Z, formulas: list[Z], timeout_ms: int, budget: Budget) -> Sat | Undecided | None:
    """Sat with a model, None when unsatisfiable, Undecided when z3 gives up or time is out."""
    ms = min(timeout_ms, budget.remaining_ms())
    if ms <= 0:
        return Undecided("the solver budget for this run is spent")
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", ms)
    solver.add(*formulas)
    start = time.perf_counter()
    try:
        answer = solver.check()
    finally:
        budget.charge(time.perf_counter() - start)
    if answer == z3.sat:
        return Sat(solver.model())
    if answer == z3.unsat:
        return None
    return Undecided(f"z3 returned unknown ({solver.reason_unknown()}) within {ms} ms")
