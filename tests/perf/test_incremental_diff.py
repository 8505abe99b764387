"""The incremental diff (only rows and columns of workloads whose policies changed) gives exactly
the diff of the two full matrices."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import clusters, labels, policies

from policylint.engine.concrete import Evaluator
from policylint.load import load_paths
from policylint.model import Cluster
from policylint.queries import diff as diff_module
from policylint.queries.diff import Diff, diff
from policylint.queries.diff_scope import scope

ROOT = Path(__file__).resolve().parents[2]


def full_diff(base: Evaluator, head: Evaluator, monkeypatch: pytest.MonkeyPatch) -> Diff:
    with monkeypatch.context() as m:
        m.setattr(diff_module, "scope", lambda _b, _h: None)
        return diff(base, head)


@st.composite
def policy_edits(draw: st.DrawFn) -> tuple[Cluster, Cluster]:
    """A cluster and the same cluster with some policies dropped, some added (workloads unchanged)."""
    base = draw(clusters())
    ns = [n.name for n in base.namespaces]
    kept = [p for p in base.policies if draw(st.booleans())]
    added = [draw(policies(f"q{i}", ns)) for i in range(draw(st.integers(0, 3)))]
    head = Cluster.of(list(base.namespaces), list(base.workloads), (), kept + added)
    return base, head


@given(policy_edits())
def test_incremental_diff_equals_the_full_diff(sides: tuple[Cluster, Cluster]) -> None:
    base, head = (Evaluator(c) for c in sides)
    assert scope(base, head) is not None  # same workloads and namespaces: the incremental path runs
    with pytest.MonkeyPatch.context() as mp:
        assert diff(base, head) == full_diff(base, head, mp)


@given(clusters(), labels)
def test_a_relabelled_workload_makes_the_diff_compare_everything(cluster: Cluster, new: dict[str, str]) -> None:
    first = cluster.workloads[0]
    moved = Cluster.of(list(cluster.namespaces), [replace(first, labels=new), *cluster.workloads[1:]], (),
                       list(cluster.policies))  # fmt: skip
    base, head = Evaluator(cluster), Evaluator(moved)
    assert (scope(base, head) is None) == (new != first.labels)


def test_generated_pull_request_diff_is_the_same_incrementally(tmp_path: Path) -> None:
    """The benchmark's pull request (bench/benchrun/pr.py) on a dense generated cluster."""
    base_dir, head_dir = tmp_path / "base", tmp_path / "head"
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--workloads", "300", "--profile", "dense"]
    subprocess.run([*gen, "--out", str(base_dir)], check=True, capture_output=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "benchrun" / "pr.py"), str(base_dir), str(head_dir)],
                   check=True, capture_output=True)  # fmt: skip
    base = Evaluator(load_paths([str(base_dir)]).cluster)
    head = Evaluator(load_paths([str(head_dir)]).cluster)
    sc = scope(base, head)
    assert sc is not None and 0 < len(sc.rows) + len(sc.columns) < len(base.workloads)
    with pytest.MonkeyPatch.context() as mp:
        expected = full_diff(base, head, mp)
    assert expected.changes and diff(base, head) == expected
