"""The pull request the benchmark times `policylint diff` on: deterministic, a real change, valid input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint.load import load_paths

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "bench" / "generate.py"
PR = ROOT / "bench" / "benchrun" / "pr.py"
WORKLOADS = 60


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *map(str, args)], check=True, capture_output=True, text=True)


def make_pr(base: Path, head: Path) -> dict[str, Any]:
    change: dict[str, Any] = json.loads(run(PR, base, head).stdout)
    return change


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def policies(root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(root.rglob("networkpolicies.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                out[f"{doc['metadata']['namespace']}/{doc['metadata']['name']}"] = doc
    return out


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("pr")
    base, head = tmp / "base", tmp / "head"
    run(GENERATE, "--workloads", WORKLOADS, "--seed", 3, "--out", base)
    return base, head, make_pr(base, head)


def test_same_base_gives_identical_head_in_separate_processes(
    trees: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    base, head, change = trees
    again = tmp_path / "again"
    assert make_pr(base, again) == change
    assert tree(again) == tree(head)


def test_head_adds_the_namespace_allow_and_removes_one_policy(trees: tuple[Path, Path, dict[str, Any]]) -> None:
    base, head, change = trees
    before, after = policies(base), policies(head)
    assert change["src"] != change["dst"]
    assert set(after) - set(before) == set(change["added"])
    assert set(before) - set(after) == {change["removed"]}
    assert all(after[name] == doc for name, doc in before.items() if name in after)
    src, dst = change["src"], change["dst"]
    ingress = after[change["added"][0]]["spec"]
    egress = after[change["added"][1]]["spec"]
    assert ingress["podSelector"] == {} and egress["podSelector"] == {}

    def peer(ns: str) -> list[dict[str, Any]]:
        return [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}]

    assert ingress["ingress"][0]["from"] == peer(src) and egress["egress"][0]["to"] == peer(dst)
    changed = {name for name, data in tree(head).items() if tree(base).get(name) != data}
    assert changed == {*change["files"], ".bench-pr"}


def test_head_is_refused_when_it_is_not_a_pr_tree(trees: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = subprocess.run([sys.executable, str(PR), str(trees[0]), str(tmp_path)], capture_output=True)
    assert result.returncode != 0
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_head_loads_in_policylint_without_problems(trees: tuple[Path, Path, dict[str, Any]]) -> None:
    result = load_paths([str(trees[1])])
    assert len(result.cluster.workloads) == WORKLOADS
    assert len(result.cluster.policies) == round(WORKLOADS * 0.4) + 1
    assert list(result.problems) == []


def test_head_has_no_error_findings(trees: tuple[Path, Path, dict[str, Any]]) -> None:
    cmd = [sys.executable, "-m", "policylint", "lint", str(trees[1]), "--fail-on", "error"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=trees[1].parent)  # not the source tree
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_diff_proves_the_namespace_allow_for_any_pod(trees: tuple[Path, Path, dict[str, Any]]) -> None:
    """What bench/run checks once per size."""
    base, head, change = trees
    cmd = [sys.executable, "-m", "policylint", "diff", str(base), str(head)]
    # Not from the source tree: there `policylint.rules` is not importable, only the installed package has it.
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=head.parent)
    assert result.returncode == 0, result.stderr[-2000:]
    assert change["expect"] in result.stdout
    assert change["removed"].split("/")[0] + "/web[Deployment] -> " in result.stdout
