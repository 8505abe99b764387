"""The benchmark generator: deterministic for a seed, realistic shapes, and input policylint loads."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "bench" / "generate.py"
WORKLOADS = 60


def generate(out: Path, seed: int = 3, workloads: int = WORKLOADS) -> dict[str, Any]:
    cmd = [sys.executable, str(GENERATE), "--workloads", str(workloads), "--seed", str(seed), "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    meta: dict[str, Any] = json.loads((out / ".bench-meta").read_text(encoding="utf-8"))
    return meta


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def documents(root: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(root.rglob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


@pytest.fixture(scope="module")
def cluster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "cluster"
    generate(out)
    return out


def test_same_seed_gives_identical_files_in_separate_processes(cluster_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again)
    assert tree(again) == tree(cluster_dir)


def test_another_seed_gives_another_cluster(cluster_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, seed=4)
    assert tree(other) != tree(cluster_dir)


def test_counts_follow_the_requested_size(cluster_dir: Path) -> None:
    kinds = Counter(d["kind"] for d in documents(cluster_dir))
    assert kinds["Deployment"] + kinds["StatefulSet"] + kinds["DaemonSet"] == WORKLOADS
    assert kinds["StatefulSet"] > 0 and kinds["DaemonSet"] > 0
    assert kinds["NetworkPolicy"] == round(WORKLOADS * 0.4)
    assert kinds["Service"] > 0 and kinds["Namespace"] >= 4


def test_policies_use_every_shape_the_benchmark_promises(cluster_dir: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in cluster_dir.rglob("networkpolicies.yaml"))
    for operator in ("In", "NotIn", "Exists", "DoesNotExist"):
        assert f"operator: {operator}\n" in text
    for fragment in ("endPort:", "except:", "protocol: UDP", "k8s-app: kube-dns", "namespaceSelector:"):
        assert fragment in text
    deny = [d for d in documents(cluster_dir) if d.get("kind") == "NetworkPolicy" and d["spec"]["podSelector"] == {}]
    assert any(d["spec"]["policyTypes"] == ["Ingress", "Egress"] for d in deny)


def test_existing_non_generated_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    cmd = [sys.executable, str(GENERATE), "--workloads", "50", "--out", str(tmp_path)]
    assert subprocess.run(cmd, capture_output=True).returncode != 0
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_generated_cluster_loads_in_policylint(cluster_dir: Path) -> None:
    load_paths = getattr(importlib.import_module("policylint.load"), "load_paths", None)
    if load_paths is None:
        pytest.skip("policylint.load.load_paths does not exist yet")
    result = load_paths([str(cluster_dir)])
    cluster = getattr(result, "cluster", result)
    assert len(cluster.workloads) == WORKLOADS
    assert len(cluster.policies) == round(WORKLOADS * 0.4)
    assert list(getattr(result, "problems", [])) == []


def test_dense_profile_leaves_a_quarter_of_product_namespaces_open(tmp_path: Path) -> None:
    """Dense: same workloads as sparse for the seed, a quarter of the product namespaces without default-deny."""
    sparse, dense = tmp_path / "sparse", tmp_path / "dense"
    generate(sparse, workloads=200)
    cmd = [sys.executable, str(GENERATE), "--workloads", "200", "--seed", "3", "--profile", "dense"]
    cmd += ["--out", str(dense)]
    subprocess.run(cmd, check=True, capture_output=True)
    meta = json.loads((dense / ".bench-meta").read_text(encoding="utf-8"))
    workload_kinds = ("Deployment", "StatefulSet", "DaemonSet")

    def workloads(root: Path) -> list[Any]:
        return sorted(json.dumps(d, sort_keys=True) for d in documents(root) if d["kind"] in workload_kinds)

    assert workloads(dense) == workloads(sparse)
    denied = {d["metadata"]["namespace"] for d in documents(dense)
              if d["kind"] == "NetworkPolicy" and d["metadata"]["name"].startswith("default-deny")}  # fmt: skip
    product = {d["metadata"]["name"] for d in documents(dense) if d["kind"] == "Namespace"} - {"kube-system"}
    open_ns = product - denied
    assert meta["open_namespaces"] == len(open_ns) == round((meta["namespaces"] - 2) * 0.25) > 0
