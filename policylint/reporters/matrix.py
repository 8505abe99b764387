"""Renderers for the connectivity matrix: text, json, csv, md and dot."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from policylint.engine.matrix import Connection, External, Matrix, MatrixEndpoint

FORMATS = ("text", "json", "csv", "md", "dot")


def _key(m: Matrix, e: MatrixEndpoint) -> tuple[int, str, str, str, int]:
    if isinstance(e, External):
        return (1, "", "", "", (e.atoms & -e.atoms).bit_length())
    w = m.evaluator.workloads[e]
    return (0, w.namespace, w.name, w.kind, 0)


def ordered(m: Matrix) -> list[Connection]:
    return sorted(m.connections, key=lambda c: (_key(m, c.src), _key(m, c.dst)))


def endpoint_text(m: Matrix, e: MatrixEndpoint) -> str:
    if isinstance(e, External):
        return f"{m.evaluator.space.range_text(e.atoms)}[External]"
    return m.evaluator.workloads[e].ref


def endpoint_json(m: Matrix, e: MatrixEndpoint) -> dict[str, Any]:
    if isinstance(e, External):
        return {"type": "external", "cidrs": m.evaluator.space.cidrs(e.atoms)}
    w = m.evaluator.workloads[e]
    return {"type": "workload", "namespace": w.namespace, "name": w.name, "kind": w.kind}


def render_text(m: Matrix) -> str:
    lines = [f"{endpoint_text(m, c.src)} => {endpoint_text(m, c.dst)} : {c.conns}" for c in ordered(m)]
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(m: Matrix) -> str:
    rows = [
        {"src": endpoint_json(m, c.src), "dst": endpoint_json(m, c.dst), "conns": c.conns.to_json()}
        for c in ordered(m)
    ]
    # One connection per line, each encoded by the C encoder (indent= would force the slow one).
    body = ",\n".join(json.dumps(row, separators=(", ", ": ")) for row in rows)
    return '{"connections": [\n' + body + ("\n" if rows else "") + "]}\n"


def render_csv(m: Matrix) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["src", "dst", "conns"])
    for c in ordered(m):
        writer.writerow([endpoint_text(m, c.src), endpoint_text(m, c.dst), str(c.conns)])
    return buf.getvalue()


def render_md(m: Matrix) -> str:
    lines = ["| src | dst | conns |", "|---|---|---|"]
    for c in ordered(m):
        cells = (endpoint_text(m, c.src), endpoint_text(m, c.dst), str(c.conns))
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines) + "\n"


def render_dot(m: Matrix) -> str:
    lines = ["digraph connectivity {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    names: dict[str, str] = {}
    for c in ordered(m):
        for e in (c.src, c.dst):
            label = endpoint_text(m, e)
            if label not in names:
                names[label] = f"n{len(names)}"
                shape = ", shape=ellipse, style=dashed" if isinstance(e, External) else ""
                lines.append(f"  {names[label]} [label={json.dumps(label)}{shape}];")
    for c in ordered(m):
        src, dst = names[endpoint_text(m, c.src)], names[endpoint_text(m, c.dst)]
        lines.append(f"  {src} -> {dst} [label={json.dumps(str(c.conns))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv, "md": render_md, "dot": render_dot}


def render(m: Matrix, fmt: str) -> str:
    return RENDERERS[fmt](m)
