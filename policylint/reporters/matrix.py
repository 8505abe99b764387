"""Renderers for the connectivity matrix: text, json, csv, md and dot.

Each writer takes connections already in listing order (engine/matrix.py: iter_connections) and
writes them as they come, in chunks: nothing but the strings of each endpoint and of each connection
set is kept (the dot format, which lists its nodes before its edges, keeps one small tuple per edge).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.matrix import Connection, External, Matrix, MatrixEndpoint
from policylint.queries.grouping import external_text
from policylint.reporters.chunked import write_joined

FORMATS = ("text", "json", "csv", "md", "dot")


def _key(m: Matrix, e: MatrixEndpoint) -> tuple[int, str, str, str, int]:
    if isinstance(e, External):
        return (1, "", "", "", (e.atoms & -e.atoms).bit_length())
    w = m.evaluator.workloads[e]
    return (0, w.namespace, w.name, w.kind, 0)


def ordered(m: Matrix) -> list[Connection]:
    return sorted(m.connections, key=lambda c: (_key(m, c.src), _key(m, c.dst)))


def endpoint_text(ev: Evaluator, e: MatrixEndpoint) -> str:
    if isinstance(e, External):
        return external_text(ev.space, e.atoms)
    return ev.workloads[e].ref


def endpoint_json(ev: Evaluator, e: MatrixEndpoint) -> dict[str, Any]:
    if isinstance(e, External):
        return {"type": "external", "cidrs": ev.space.cidrs(e.atoms)}
    w = ev.workloads[e]
    return {"type": "workload", "namespace": w.namespace, "name": w.name, "kind": w.kind}


def _dumps(value: Any) -> str:
    # One row per line, each piece encoded by the C encoder (indent= would force the slow one).
    return json.dumps(value, separators=(", ", ": "))


class Strings:
    """Each endpoint's and each connection set's rendering, computed once per run."""

    def __init__(self, ev: Evaluator, endpoint: Callable[[Evaluator, MatrixEndpoint], str],
                 conns: Callable[[ConnSet], str]) -> None:  # fmt: skip
        self.ev = ev
        self._endpoint = endpoint
        self._conns = conns
        self._workloads: list[str | None] = [None] * len(ev.workloads)
        self._external: dict[int, str] = {}
        self._conn_cache: dict[ConnSet, str] = {}

    def workload_texts(self) -> list[str]:
        """Every workload's text, by index (a row then needs no call for a workload end)."""
        return [self.endpoint(w) for w in range(len(self._workloads))]

    def endpoint(self, e: MatrixEndpoint) -> str:
        if isinstance(e, External):
            hit = self._external.get(e.atoms)
            if hit is None:
                hit = self._external[e.atoms] = self._endpoint(self.ev, e)
            return hit
        text = self._workloads[e]
        if text is None:
            text = self._workloads[e] = self._endpoint(self.ev, e)
        return text

    def conns(self, c: ConnSet) -> str:
        hit = self._conn_cache.get(c)
        if hit is None:
            hit = self._conn_cache[c] = self._conns(c)
        return hit


def write_text(ev: Evaluator, rows: Iterable[Connection], out: TextIO) -> None:
    names = Strings(ev, endpoint_text, str)
    endpoint, conns, texts = names.endpoint, names.conns, names.workload_texts()
    write_joined(out, (f"{texts[s] if type(s) is int else endpoint(s)} -> "
                       f"{texts[d] if type(d) is int else endpoint(d)} : {conns(c.conns)}\n"
                       for c in rows for s, d in ((c.src, c.dst),)))  # fmt: skip


def write_json(ev: Evaluator, rows: Iterable[Connection], out: TextIO) -> None:
    names = Strings(ev, lambda ev, e: _dumps(endpoint_json(ev, e)), lambda c: _dumps(c.to_json()))
    endpoint, conns, texts = names.endpoint, names.conns, names.workload_texts()
    out.write('{"connections": [\n')
    wrote = write_joined(out, (f'{{"src": {texts[s] if type(s) is int else endpoint(s)}, '
                               f'"dst": {texts[d] if type(d) is int else endpoint(d)}, "conns": {conns(c.conns)}}}'
                               for c in rows for s, d in ((c.src, c.dst),)), ",\n")  # fmt: skip
    out.write("\n]}\n" if wrote else "]}\n")


def _csv_cell(text: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([text])
    return buf.getvalue() if text else ""


def write_csv(ev: Evaluator, rows: Iterable[Connection], out: TextIO) -> None:
    names = Strings(ev, lambda ev, e: _csv_cell(endpoint_text(ev, e)), lambda c: _csv_cell(str(c)))
    out.write("src,dst,conns\n")
    write_joined(out, (f"{names.endpoint(c.src)},{names.endpoint(c.dst)},{names.conns(c.conns)}\n" for c in rows))


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_md(ev: Evaluator, rows: Iterable[Connection], out: TextIO) -> None:
    names = Strings(ev, lambda ev, e: _md_cell(endpoint_text(ev, e)), lambda c: _md_cell(str(c)))
    out.write("| src | dst | conns |\n|---|---|---|\n")
    write_joined(out, (f"| {names.endpoint(c.src)} | {names.endpoint(c.dst)} | {names.conns(c.conns)} |\n"
                       for c in rows))  # fmt: skip


def write_dot(ev: Evaluator, rows: Iterable[Connection], out: TextIO) -> None:
    """Nodes (by label, in order of first appearance) come before edges, so edges are kept as ids."""
    names = Strings(ev, endpoint_text, lambda c: json.dumps(str(c)))
    nodes: dict[str, int] = {}
    node_lines: list[str] = []
    edges: list[tuple[int, int, str]] = []
    for c in rows:
        ids = []
        for e in (c.src, c.dst):
            label = names.endpoint(e)
            node = nodes.get(label)
            if node is None:
                node = nodes[label] = len(nodes)
                shape = ", shape=ellipse, style=dashed" if isinstance(e, External) else ""
                node_lines.append(f"  n{node} [label={json.dumps(label)}{shape}];\n")
            ids.append(node)
        edges.append((ids[0], ids[1], names.conns(c.conns)))
    out.write('digraph connectivity {\n  rankdir=LR;\n  node [shape=box, fontname="Helvetica"];\n')
    write_joined(out, node_lines)
    write_joined(out, (f"  n{src} -> n{dst} [label={label}];\n" for src, dst, label in edges))
    out.write("}\n")


Writer = Callable[[Evaluator, Iterable[Connection], TextIO], None]
WRITERS: dict[str, Writer] = {"text": write_text, "json": write_json, "csv": write_csv, "md": write_md,
                              "dot": write_dot}  # fmt: skip


def write(ev: Evaluator, rows: Iterable[Connection], fmt: str, out: TextIO) -> None:
    """Write `rows` (in listing order) to `out` in `fmt`."""
    WRITERS[fmt](ev, rows, out)


def render(m: Matrix, fmt: str) -> str:
    buf = io.StringIO()
    write(m.evaluator, ordered(m), fmt, buf)
    return buf.getvalue()
