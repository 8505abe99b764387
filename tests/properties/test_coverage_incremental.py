"""The incremental coverage solver (one per direction, every rule encoded once) answers exactly as a
fresh solver per question did, and NP401/NP403 find the same as with a fresh solver per question
and no canonical-form shortcut (issue 17 point 1, issue 18 point 5).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from strategies import clusters

from policylint import api
from policylint.engine.smt import SmtEngine, Undecided
from policylint.model import Cluster, Direction, NetworkPolicy, Rule
from policylint.queries.smt_coverage import with_rules

ROOT = Path(__file__).resolve().parents[2]


def fresh_selection_covered(
    engine: SmtEngine, policy: NetworkPolicy, others: Sequence[NetworkPolicy], direction: Direction
) -> bool | Undecided:
    """The former encoding: each policy copied with one allow-all rule, asked of a fresh solver."""
    allow_all = Rule(direction, 0)
    subject = with_rules(policy, direction, (allow_all,))
    covering = [(with_rules(o, direction, (allow_all,)), allow_all) for o in others]
    return engine.rule_covered(subject, allow_all, covering)


def questions(cluster: Cluster) -> Iterator[tuple[NetworkPolicy, Rule, list[tuple[NetworkPolicy, Rule]]]]:
    for policy in cluster.policies:
        for direction in Direction:
            for rule in (policy.ingress if direction is Direction.INGRESS else policy.egress) or ():
                others = [(p, r) for p in cluster.policies for r in p.rules(direction) if r is not rule]
                yield policy, rule, others
                yield policy, rule, others[: len(others) // 2]


@given(clusters())
def test_incremental_coverage_answers_as_a_fresh_solver(cluster: Cluster) -> None:
    incremental, fresh = SmtEngine(cluster), SmtEngine(cluster)
    for policy, rule, others in questions(cluster):
        assert incremental.covered(policy, rule, others) == fresh.rule_covered(policy, rule, others)
    for policy in cluster.policies:
        for direction in Direction:
            rest = [o for o in cluster.policies if o is not policy and o.isolates(direction)]
            assert incremental.selection_covered(policy, rest, direction) == fresh_selection_covered(
                fresh, policy, rest, direction
            )


def _former(monkeypatch: pytest.MonkeyPatch) -> None:
    """NP401/NP403 as they were: a fresh solver per question, no canonical-form shortcut."""
    np401 = importlib.import_module("policylint.rules.np401_rule_shadowed")
    np403 = importlib.import_module("policylint.rules.np403_policy_redundant")
    monkeypatch.setattr(SmtEngine, "covered", lambda self, p, r, others: self.rule_covered(p, r, list(others)))
    monkeypatch.setattr(SmtEngine, "selection_covered", fresh_selection_covered)
    monkeypatch.setattr(np401, "covers_structurally", lambda subject, other: False)
    monkeypatch.setattr(np403, "policy_form", id)


def _findings(path: Path) -> list[tuple[str, str, int, str]]:
    report = api.lint(str(path))
    found = [f for f in report.findings if f.rule in ("NP401", "NP403")]
    return sorted((f.rule, f.span.file, f.span.line, f.message) for f in found)


def _fixture_dirs() -> list[Path]:
    return sorted(p for p in (ROOT / "fixtures" / "rules").iterdir() if p.name.startswith(("np401", "np403")))


@pytest.mark.parametrize("folder", _fixture_dirs(), ids=lambda p: p.name)
def test_np401_np403_find_the_same_as_before_on_the_fixtures(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _findings(folder)
    _former(monkeypatch)
    assert now == _findings(folder)
    assert now or folder.name.endswith("good")  # the comparison is not vacuous


def test_np401_np403_find_the_same_as_before_on_a_generated_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "d"
    cmd = [sys.executable, str(ROOT / "bench" / "generate.py"), "--workloads", "120", "--seed", "5",
           "--profile", "dense", "--out", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
    # Copies of a few policies under new names, so the shortcuts and the solver both have work.
    for f in sorted(out.rglob("networkpolicies.yaml"))[:3]:
        text = f.read_text(encoding="utf-8")
        first = text.split("\n---\n")[0].replace("name: ", "name: copy-", 1)
        f.write_text(text + "\n---\n" + first, encoding="utf-8")
    now = _findings(out)
    _former(monkeypatch)
    assert now == _findings(out)
    assert any(rule == "NP403" for rule, *_ in now)
