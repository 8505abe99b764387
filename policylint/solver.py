"""How much z3 may spend proving statements about pods the input does not have (diff, grouping)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Solver:
    """Budget for proving statements about "any pod in namespace x" with z3."""

    timeout_ms: int = 5000  # per solver call; an undecided statement stays concrete
    budget_seconds: float = 60.0  # for the whole run; past it, statements stay concrete


SOLVER = Solver()
