"""What a change does: its connectivity diff said in statements and, when both sides were linted,
the findings it adds and the ones it fixes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policylint.findings import Finding
from policylint.queries.diff import Change, Diff, WorkloadKey, new_findings
from policylint.queries.diff_beyond import PossibleExposure
from policylint.queries.diff_statements import Prover, Statement, statements, workload_statements
from policylint.queries.exposure_diff import EntryChanges


@dataclass(frozen=True, slots=True)
class Impact:
    diff: Diff
    said: dict[Change, list[Statement]]
    workloads: dict[WorkloadKey, list[Statement]]  # connections of workloads on one side only
    new_findings: list[Finding] | None = None  # None: not linted
    fixed_findings: list[Finding] | None = None  # on BASE, gone on HEAD (BASE's lines)
    entries: EntryChanges = EntryChanges()  # ways in from outside opened and closed
    unseen: tuple[str, ...] = ()  # what either side holds that the comparison could not read or model
    # Workloads newly reachable from pods that could exist in other namespaces (z3, both sides at once).
    possible_exposures: tuple[PossibleExposure, ...] = ()

    @classmethod
    def of(
        cls,
        diff: Diff,
        prover: Prover | None = None,
        base_findings: Sequence[Finding] | None = None,
        head_findings: Sequence[Finding] | None = None,
    ) -> Impact:
        said = statements(diff, prover)
        workloads = {w.workload: workload_statements(diff, w, prover) for w in (*diff.appeared, *diff.disappeared)}
        if base_findings is None or head_findings is None:
            return cls(diff, said, workloads)
        new, fixed = new_findings(base_findings, head_findings), new_findings(head_findings, base_findings)
        return cls(diff, said, workloads, new, fixed)

    @property
    def linted(self) -> bool:
        return self.new_findings is not None

    @property
    def empty(self) -> bool:
        """Nothing to tell a reviewer: no connectivity change, no finding added or fixed."""
        return (self.diff.empty and not self.new_findings and not self.fixed_findings and self.entries.empty
                and not self.possible_exposures)  # fmt: skip
