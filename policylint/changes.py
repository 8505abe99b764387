"""Comparing two loaded sides of a change (BASE and HEAD): the work behind `api.diff`.

A side is a loaded input plus where its files really lie: BASE read from a git revision sits in a
temporary folder, and BASE given as a path is matched to HEAD as if it lay at HEAD's place, so
findings on both sides compare by the same file names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from policylint.config import Config
from policylint.enforced import evaluated
from policylint.engine.concrete import Evaluator
from policylint.findings import Finding, Severity, Span
from policylint.queries.assumed import assumption_notes
from policylint.queries.diff import diff
from policylint.queries.diff_beyond import (
    PossibleExposure,
    candidates,
    policy_changes,
    possible_exposures,
    tier_policy_changes,
    tier_unselected,
    unselected,
)
from policylint.queries.diff_statements import Prover
from policylint.queries.exposure_diff import entry_changes
from policylint.queries.impact import Impact
from policylint.runner import LoadedInput, lint
from policylint.solver import Solver


@dataclass(frozen=True, slots=True)
class Side:
    loaded: LoadedInput
    files: dict[str, str] = field(default_factory=dict)  # prefix as loaded -> prefix to show and match findings by



def relocate(findings: list[Finding], files: dict[str, str]) -> list[Finding]:
    """The findings with their file names moved from where they were loaded to where they belong."""
    out = []
    for f in findings:
        name = f.span.file
        for old, new in files.items():
            if name == old or name.startswith(old + os.sep):
                name = new + name[len(old) :]
                break
        name = name if name.startswith("<") else os.path.normpath(name)
        out.append(replace(f, span=replace(f.span, file=name)))
    return out


def compare(base: Side, head: Side, config: Config, with_lint: bool = False, smt: Solver | None = None) -> Impact:
    """What HEAD changes against BASE; `smt=None` groups concretely only. With `with_lint`, both
    sides are linted under `config` and the findings HEAD adds and fixes are part of the impact."""
    assume = config.assumptions
    evs = (Evaluator(evaluated(base.loaded.cluster, config), assume),
           Evaluator(evaluated(head.loaded.cluster, config), assume))  # fmt: skip
    result = diff(*evs)
    prover: Prover | None = None
    if smt is not None and not result.empty:
        prover = Prover.create(*evs, timeout_ms=smt.timeout_ms, budget_seconds=smt.budget_seconds)
    entries = entry_changes(evs[0].cluster, evs[1].cluster, assume)  # as enforced, like the pairs
    changed = policy_changes(evs[0].cluster, evs[1].cluster)
    tier_changed = tier_policy_changes(evs[0].cluster, evs[1].cluster)
    notes: list[tuple[bool, Span, str]] = [(c.head is not None, c.span, line) for c, line in
                                           unselected(evs[0].cluster, evs[1].cluster, changed)]  # fmt: skip
    notes += [(c.head is not None, c.span, line) for c, line in
              tier_unselected(evs[0].cluster, evs[1].cluster, tier_changed)]  # fmt: skip
    beyond = [_relocated(f"HEAD {span}: {line}", head.files) if on_head
              else _relocated(f"BASE {span}: {line}", base.files) for on_head, span, line in notes]  # fmt: skip
    possible: list[PossibleExposure] = []
    if smt is not None:
        possible, undecided = possible_exposures(*evs, result, changed, smt.timeout_ms, smt.budget_seconds)
        beyond += undecided
    elif unchecked := len(candidates(*evs, result, changed)):
        beyond.append(f"{unchecked} workload(s) whose policies changed not checked for new exposure to pods "
                      "outside the input (z3 is off: --no-smt)")  # fmt: skip
    sides = [(label, assumption_notes(side.loaded.cluster, config.namespace, config.cni))
             for label, side in (("BASE", base), ("HEAD", head))]  # fmt: skip
    assumed = dict.fromkeys(n if all(n in notes for _, notes in sides) else f"{label} {n}"
                            for label, notes in sides for n in notes)  # fmt: skip
    unseen = (*_unseen("BASE", base), *_unseen("HEAD", head), *beyond, *assumed)
    if not with_lint:
        impact = Impact.of(result, prover)
    else:
        old = relocate(lint(base.loaded, config).findings, base.files)
        new = relocate(lint(head.loaded, config).findings, head.files)
        impact = Impact.of(result, prover, old, new)
    return replace(impact, entries=entries, unseen=unseen, possible_exposures=tuple(possible))


def _relocated(line: str, files: dict[str, str]) -> str:
    """A line naming a loaded file, with the name moved where it belongs (as findings are)."""
    for old, new in files.items():
        if old != new:
            line = line.replace(f" {old}{os.sep}", f" {new}{os.sep}").replace(f" {old}:", f" {new}:")
    return line


def _unseen(label: str, side: Side) -> list[str]:
    """Input problems of a side: objects it skipped (a retired apiVersion, an unknown field) or
    kinds it does not model, so a quiet diff is not read as "nothing changed"."""
    shown = relocate([Finding(p.rule, "", Severity.INFO, p.span, p.message) for p in side.loaded.problems],
                     side.files)  # fmt: skip
    return [f"{label} {f.span}: {f.rule} {f.message}" for f in shown]
