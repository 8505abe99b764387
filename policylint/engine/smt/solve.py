"""Solver calls under a per-call limit and a run-wide budget, both counted deterministically.

Solving is counted in z3's resource units (`rlimit`): the same formulas use the same units on every
machine and under any load, so when a budget runs out the answers are the same on every run (a
wall-clock timeout made them depend on the load). Building formulas is counted in terms built, so
the budget covers the whole encoding, not only z3. The user's seconds are converted at rates
measured on the benchmark machine (bench/RESULTS.md, "Hostile input"). A wall-clock deadline stays
as a last-resort safety net; an answer it cuts short says so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import z3

from policylint.engine.smt.symbols import Z

RLIMIT_PER_SECOND = 6_000_000  # z3 resource units per second of solving (measured: 6-8 M per CPU second here)
TERMS_PER_SECOND = 200_000  # formula terms built per second (measured: about 250-400 k/s here)
WALL_SAFETY_FACTOR = 10.0  # the wall-clock net: this many times the budget, plus WALL_SAFETY_SLACK
WALL_SAFETY_SLACK = 60.0


@dataclass(frozen=True)
class Undecided:
    """The solver could not answer (budget spent, resource limit, encoding too large). Never a pass."""

    reason: str


@dataclass(frozen=True)
class Sat:
    model: Z


class BudgetSpent(Exception):
    """Raised while building formulas when the encoding outgrows its budget; carries the Undecided."""

    def __init__(self, undecided: Undecided) -> None:
        super().__init__(undecided.reason)
        self.undecided = undecided


class Budget:
    """What the whole run may spend on symbolic questions, shared by every engine of a run:
    `total` seconds, turned into z3 resource units (solving) and terms (building)."""

    def __init__(self, total_seconds: float) -> None:
        self.total = total_seconds
        self.units = int(max(0.0, total_seconds) * RLIMIT_PER_SECOND)
        self.terms_limit = int(max(0.0, total_seconds) * TERMS_PER_SECOND)
        self.units_spent = 0
        self.terms = 0
        self.spent = 0.0  # wall seconds inside z3 (reported, never decides an answer)
        self.calls = 0
        self.deadline = time.monotonic() + WALL_SAFETY_FACTOR * max(0.0, total_seconds) + WALL_SAFETY_SLACK
        self._question_start = 0
        self._question_terms = 0
        self._counts: dict[int, int] = {}  # z3's resource counter per context, as last read

    def exhausted(self) -> Undecided | None:
        if self.units_spent >= self.units or self.terms >= self.terms_limit:
            return Undecided("the solver budget for this run is spent")
        if time.monotonic() >= self.deadline:
            return Undecided("the wall-clock safety net of the solver budget was reached; "
                             "this answer may differ between runs")  # fmt: skip
        return None

    def remaining_ms(self) -> int:
        """Milliseconds of solving left, in the budget's own units (0 once spent)."""
        if self.exhausted() is not None:
            return 0
        return int((self.units - self.units_spent) * 1000 / RLIMIT_PER_SECOND)

    def start_question(self, timeout_ms: int) -> None:
        """One question may build at most what its per-call limit allows (and what the run has left)."""
        self._question_start = self.terms
        self._question_terms = self.question_terms(timeout_ms)

    def over_question(self, n: int, timeout_ms: int) -> Undecided | None:
        """Why `n` terms can never be built for one question with this per-call limit (None: they can)."""
        limit = self.question_terms(timeout_ms)
        return _too_large(limit) if n > limit else None

    @staticmethod
    def question_terms(timeout_ms: int) -> int:
        """The terms one question with this per-call limit may build."""
        return max(1, int(timeout_ms * TERMS_PER_SECOND / 1000))

    def charge_terms(self, n: int) -> None:
        """Count `n` terms about to be built; raise BudgetSpent when the encoding is over budget."""
        if self.terms + n - self._question_start > self._question_terms:
            raise BudgetSpent(_too_large(self._question_terms))
        if self.terms + n > self.terms_limit:
            raise BudgetSpent(Undecided("the solver budget for this run is spent (formula size)"))
        self.terms += n

    def call_units(self, timeout_ms: int) -> int:
        return min(int(timeout_ms * RLIMIT_PER_SECOND / 1000), self.units - self.units_spent)

    def charge_units(self, ctx: Z, count: int, seconds: float) -> int:
        """Record z3's resource counter after a call; returns the units the call used."""
        used = count - self._counts.get(id(ctx), 0)
        self._counts[id(ctx)] = count
        self.units_spent += used
        self.spent += seconds
        self.calls += 1
        return used


def _too_large(limit: int) -> Undecided:
    return Undecided(f"the formulas for this question exceed {limit:,} terms, the size its per-call limit allows")


def check(
    ctx: Z, formulas: list[Z], timeout_ms: int, budget: Budget, solver: Z | None = None, assumptions: Sequence[Z] = ()
) -> Sat | Undecided | None:
    """Sat with a model, None when unsatisfiable, Undecided when the limit or the budget is reached.
    `solver`: an incremental solver to ask (its assertions kept) instead of a fresh one."""
    spent = budget.exhausted()
    if spent is not None:
        return spent
    units = budget.call_units(timeout_ms)
    wall_ms = int(min(WALL_SAFETY_FACTOR * timeout_ms, (budget.deadline - time.monotonic()) * 1000))
    if solver is None:
        solver = z3.Solver(ctx=ctx)
    solver.set("rlimit", max(1, units))
    solver.set("timeout", max(1, wall_ms))
    solver.add(*formulas)
    start = time.perf_counter()
    try:
        answer = solver.check(*assumptions)
    finally:
        elapsed = time.perf_counter() - start
    used = budget.charge_units(ctx, _resource_count(solver), elapsed)
    if answer == z3.sat:
        return Sat(solver.model())
    if answer == z3.unsat:
        return None
    if used >= units:
        about = units * 1000 // RLIMIT_PER_SECOND
        return Undecided(f"z3 reached its resource limit of {units:,} units (about {about:,} ms of solving)")
    if elapsed * 1000 >= wall_ms:
        return Undecided(f"the wall-clock safety net ({wall_ms} ms) stopped z3; this answer may differ between runs")
    return Undecided(f"z3 returned unknown ({solver.reason_unknown()})")


def _resource_count(solver: Z) -> int:
    """z3's resource counter of the solver's context (cumulative over its calls)."""
    try:
        return int(solver.statistics().get_key_value("rlimit count"))
    except z3.Z3Exception:  # no such statistic: the call did no work z3 counts
        return 0
