"""The streamed matrix prints exactly what the materialised one printed, in every format.

`reference_*` below is the renderer as it was before streaming (sort every connection by tuples
of strings, build each row, join): the streamed writers must give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from perf_clusters import dense_cluster
from strategies import clusters

from policylint.engine.concrete import Evaluator
from policylint.engine.matrix import Connection, External, Matrix, MatrixEndpoint, compute_matrix, iter_connections
from policylint.model import Cluster
from policylint.queries.grouping import external_text
from policylint.reporters.matrix import FORMATS, write

ROOT = Path(__file__).resolve().parents[2]


def _key(m: Matrix, e: MatrixEndpoint) -> tuple[int, str, str, str, int]:
    if isinstance(e, External):
        return (1, "", "", "", (e.atoms & -e.atoms).bit_length())
    w = m.evaluator.workloads[e]
    return (0, w.namespace, w.name, w.kind, 0)


def _ordered(m: Matrix) -> list[Connection]:
    return sorted(m.connections, key=lambda c: (_key(m, c.src), _key(m, c.dst)))


def _text(m: Matrix, e: MatrixEndpoint) -> str:
    if isinstance(e, External):
        return external_text(m.evaluator.space, e.atoms)  # as the policies write ranges (issue 16)
    return m.evaluator.workloads[e].ref


def _json(m: Matrix, e: MatrixEndpoint) -> dict[str, Any]:
    if isinstance(e, External):
        return {"type": "external", "cidrs": m.evaluator.space.cidrs(e.atoms)}
    w = m.evaluator.workloads[e]
    return {"type": "workload", "namespace": w.namespace, "name": w.name, "kind": w.kind}


def reference(m: Matrix, fmt: str) -> str:
    rows = _ordered(m)
    if fmt == "text":
        lines = [f"{_text(m, c.src)} -> {_text(m, c.dst)} : {c.conns}" for c in rows]
        return "\n".join(lines) + ("\n" if lines else "")
    if fmt == "json":
        dicts = [{"src": _json(m, c.src), "dst": _json(m, c.dst), "conns": c.conns.to_json()} for c in rows]
        body = ",\n".join(json.dumps(r, separators=(", ", ": ")) for r in dicts)
        return '{"connections": [\n' + body + ("\n" if dicts else "") + "]}\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["src", "dst", "conns"])
        for c in rows:
            writer.writerow([_text(m, c.src), _text(m, c.dst), str(c.conns)])
        return buf.getvalue()
    if fmt == "md":
        lines = ["| src | dst | conns |", "|---|---|---|"]
        for c in rows:
            cells = (_text(m, c.src), _text(m, c.dst), str(c.conns))
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        return "\n".join(lines) + "\n"
    lines = ["digraph connectivity {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    names: dict[str, str] = {}
    for c in rows:
        for e in (c.src, c.dst):
            label = _text(m, e)
            if label not in names:
                names[label] = f"n{len(names)}"
                shape = ", shape=ellipse, style=dashed" if isinstance(e, External) else ""
                lines.append(f"  {names[label]} [label={json.dumps(label)}{shape}];")
    for c in rows:
        lines.append(f"  {names[_text(m, c.src)]} -> {names[_text(m, c.dst)]} [label={json.dumps(str(c.conns))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def streamed(ev: Evaluator, fmt: str) -> str:
    buf = io.StringIO()
    write(ev, iter_connections(ev), fmt, buf)
    return buf.getvalue()


@given(clusters())
def test_streamed_rows_are_the_sorted_full_matrix(cluster: Cluster) -> None:
    ev = Evaluator(cluster)
    assert list(iter_connections(ev)) == _ordered(compute_matrix(ev))


@given(clusters())
def test_every_format_is_byte_identical_to_the_materialised_renderer(cluster: Cluster) -> None:
    ev = Evaluator(cluster)
    m = compute_matrix(ev)
    for fmt in FORMATS:
        assert streamed(ev, fmt) == reference(m, fmt), fmt


def test_generated_dense_cluster_streams_identically(tmp_path: Path) -> None:
    from policylint.load import load_paths

    cluster = load_paths([str(dense_cluster(tmp_path, 200))]).cluster
    ev = Evaluator(cluster)
    m = compute_matrix(ev)
    assert len(m.connections) > 2000  # open namespaces: pairs grow with the square of their workloads
    for fmt in ("text", "json"):
        assert streamed(ev, fmt) == reference(m, fmt)


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`policylint matrix DIR | head -1`: one line printed, no traceback, the command's own exit code
    (the HTML page streams too: its first line is written before the rows are all computed)."""
    root = dense_cluster(tmp_path, 300)
    for fmt in ("text", "json", "html"):
        proc = subprocess.Popen([sys.executable, "-m", "policylint", "matrix", str(root), "-f", fmt],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as `head -1` does
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == 0
        assert first and b"Traceback" not in err and b"BrokenPipe" not in err and err == b""
        assert fmt != "html" or first.startswith(b"<!doctype html>")


TIER_FIXTURES = sorted(p for p in (ROOT / "fixtures" / "tiers").iterdir() if p.is_dir())


def test_layered_clusters_stream_the_full_matrix_without_shortcuts() -> None:
    """With admin/baseline or dialect tiers, NetworkPolicy isolation does not decide alone: every pair
    is evaluated (fixtures/tiers/*), and the stream equals the full matrix."""
    from policylint.load import load_paths

    layered = 0
    for case in TIER_FIXTURES:
        ev = Evaluator(load_paths([str(case)]).cluster)
        layered += ev.layered
        assert list(iter_connections(ev)) == _ordered(compute_matrix(ev)), case.name
    assert layered
