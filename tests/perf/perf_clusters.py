"""Clusters written to disk for the streaming tests: the bench generator's dense profile (a quarter
of the namespaces open), and pods no policy selects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dense_cluster(tmp: Path, workloads: int, seed: int = 1) -> Path:
    out = tmp / "dense"
    cmd = [sys.executable, str(ROOT / "bench" / "generate.py"), "--workloads", str(workloads), "--profile", "dense"]
    subprocess.run([*cmd, "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)
    return out


def open_cluster(root: Path, namespaces: int, per_namespace: int) -> None:
    """Pods no policy selects: every pair connects (per_namespace x namespaces squared pairs)."""
    root.mkdir()
    for n in range(namespaces):
        docs = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n"]
        for i in range(per_namespace):
            docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: ns{n}\n"
                        f"spec:\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n"
                        f"      labels: {{app: app{i}}}\n    spec:\n      containers:\n      - name: c\n"
                        f"        image: nginx\n")  # fmt: skip
        (root / f"ns{n}.yaml").write_text("---\n".join(docs))
