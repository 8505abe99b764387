"""Ordinary inputs that once took superlinear time or memory (issue 17, point 8).

Bounds are about 10x the figure measured after the fix (bench/RESULTS.md, "Issue 17"), in CPU
seconds of this process, so a loaded machine does not make them flaky; the inputs are the
smallest that showed the defect clearly.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from policylint import api
from policylint.config import load_config
from policylint.load.stream import parse_stream
from policylint.reporters.diff import render_text

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: last, namespace: x}\n"


def test_yaml_error_recovery_is_linear() -> None:
    # 24,000 broken documents (144 KB): each error rescanned the rest of the file, 240 s; now 0.9 s.
    text = "---\n[\n" * 24_000 + "---\n" + POD
    start = time.process_time()
    stream = parse_stream(text, "f.yaml")
    assert time.process_time() - start < 9
    assert len(stream.problems) == 24_000
    # each error at its own document, and the valid one after them all still read
    assert [p.span.line for p in stream.problems[:3]] == [3, 5, 7]
    assert stream.problems[-1].span.line == 2 * 24_000 + 1
    assert [d.value["metadata"]["name"] for d in stream.documents] == ["last"]


def pods(n: int, namespaces: int = 5) -> str:
    return "---\n".join(
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: ns{i % namespaces}, labels: {{app: a{i}}}}}\n"
        for i in range(n)
    )


def test_first_adoption_diff_is_not_cubic(tmp_path: Path) -> None:
    # No workloads -> 600 pods and no policy (the first pull request). Each new workload scanned every
    # pair and every namespace: cubic (300 pods 11.4 CPU s, 600 about 90 s). Now quadratic, the
    # size of the pair matrix: 300 pods 1.2 s, 600 about 5 s. The solver's part is left out: it is
    # bounded by --smt-budget (and its cost is the SMT budget work of issue 17, point 1).
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "head" / "pods.yaml").write_text(pods(600), encoding="utf-8")
    start = time.process_time()
    impact = api.diff(str(tmp_path / "base"), str(tmp_path / "head"), load_config(None), smt=None)
    assert time.process_time() - start < 50
    assert len(impact.diff.appeared) == 600 and not impact.diff.changes
    # every new pod reaches, and is reached from, all the others: one line each way, not 599
    text = render_text(impact)
    assert text.count("-> every workload in every namespace (599) : All Connections") == 600
    assert text.count("<- every workload in every namespace (599) : All Connections") == 600


MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_matrix_json_of_open_pods_streams_in_bounded_memory(tmp_path: Path) -> None:
    # 1,000 pods and no policy: a million allowed pairs (237 MB of JSON). Once held in memory:
    # 2 GB (2,000 pods: 8 GB); streamed now, 47 MB at 1,000 and 51 MB at 2,000.
    (tmp_path / "pods.yaml").write_text(pods(1000), encoding="utf-8")
    cmd = [sys.executable, "-m", "policylint", "matrix", str(tmp_path), "--format", "json", "-q"]
    # a fresh parent, so the peak is this child's alone
    done = subprocess.run([sys.executable, "-c", MEASURE, *cmd], cwd=tmp_path, capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert int(done.stdout) < 470_000  # KiB
