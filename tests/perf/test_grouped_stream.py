"""`matrix -g namespace|workload` groups the rows as they come: the same lines, the same bytes, and
memory that does not grow with the pairs (1,000 open pods: 0.9 GB for the json when every row and
a line per row were held before the first grouping pass).

The reference is the grouping as it was: one Line per row in a list, then every pass of `collapse`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from perf_clusters import open_cluster
from strategies import clusters

from policylint import api
from policylint.engine.concrete import Evaluator
from policylint.engine.matrix import Connection, compute_matrix, iter_connections
from policylint.model import Cluster
from policylint.queries.grouping import Grouper, Line, PairCounter, expand, group_rows, line_key
from policylint.reporters.grouped import end_json

ROOT = Path(__file__).resolve().parents[2]
PASSES = {"namespace": (True, False, True, False), "workload": (False,)}


def reference_lines(ev: Evaluator, rows: list[Connection], by: str) -> list[Line]:
    lines = [Line(c.src, c.dst, c.conns) for c in rows]
    grouper = Grouper(ev)
    for vary_src in PASSES[by]:
        lines = grouper.collapse(lines, vary_src)
    return sorted(lines, key=lambda ln: line_key(ev, ln))


def reference_json(ev: Evaluator, lines: list[Line], pairs: list[Connection]) -> str:
    groups = [json.dumps({"src": end_json(ev, ln.src), "dst": end_json(ev, ln.dst), "conns": ln.conns.to_json(),
                          "pairs": sum(1 for _ in expand(ev, ln))}, separators=(", ", ": ")) for ln in lines]
    rows = [json.dumps({"src": end_json(ev, c.src, False), "dst": end_json(ev, c.dst, False),
                        "conns": c.conns.to_json()}, separators=(", ", ": ")) for c in pairs]  # fmt: skip
    return ('{"groups": [\n' + ",\n".join(groups) + ("\n" if groups else "") + '],\n"connections": [\n'
            + ",\n".join(rows) + ("\n" if rows else "") + "]}\n")  # fmt: skip


@given(clusters(), st.sampled_from(sorted(PASSES)))
def test_grouping_the_streamed_rows_gives_the_lines_of_the_held_rows(cluster: Cluster, by: str) -> None:
    ev = Evaluator(cluster)
    lines = group_rows(ev, iter_connections(ev), by)
    assert lines == reference_lines(ev, compute_matrix(ev).connections, by)
    counter = PairCounter(ev)
    assert [counter.count(ln) for ln in lines] == [sum(1 for _ in expand(ev, ln)) for ln in lines]


def _matrix(root: Path, *args: str) -> str:
    cmd = [sys.executable, "-m", "policylint", "matrix", str(root), "--no-smt", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=root.parent).stdout


def test_grouped_text_and_json_of_a_generated_dense_cluster_are_what_they_were(tmp_path: Path) -> None:
    root = tmp_path / "dense"
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--workloads", "300", "--profile", "dense",
           "--seed", "7"]  # fmt: skip
    subprocess.run([*gen, "--out", str(root)], check=True, capture_output=True)
    ev = api.matrix_rows(api.load([str(root)], validate=False)).evaluator
    rows = list(iter_connections(ev))
    for by in PASSES:
        lines = reference_lines(ev, rows, by)
        assert len(lines) < len(rows) / 3  # open namespaces collapsed: the grouping did something
        text = "".join(f"{_label(ev, ln.src)} -> {_label(ev, ln.dst)} : {ln.conns}\n" for ln in lines)
        assert _matrix(root, "-g", by) == text
        assert _matrix(root, "-g", by, "-f", "json") == reference_json(ev, lines, rows)


def _label(ev: Evaluator, e: object) -> str:
    from policylint.queries.grouping import end_label

    return end_label(ev, e)  # type: ignore[arg-type]


def test_grouping_a_thousand_open_pods_stays_within_a_generous_memory_bound(tmp_path: Path) -> None:
    """999,000 pairs in one line: before, every row and a line per row were held (232 MB for the
    text, 933 MB for the json)."""
    root = tmp_path / "open"
    open_cluster(root, 10, 100)
    probe = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
             "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(p.stdout, end='')")
    cmd = [sys.executable, "-c", probe, sys.executable, "-m", "policylint", "matrix", str(root), "-g", "namespace",
           "--no-smt"]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    head, text = out.split("\n", 1)
    code, max_kb = map(int, head.split())
    assert code == 0
    everyone = "every workload in every namespace"
    assert text.splitlines()[0] == f"{everyone} -> {everyone} : All Connections"
    assert len(text.splitlines()) == 3  # and the internet both ways
    assert max_kb < 150_000, f"peak {max_kb} KB"  # measured: 232 MB before, 47 MB now
