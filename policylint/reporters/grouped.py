"""Renderers for the grouped connectivity map (queries/grouping.py): text, json, csv, md and dot."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from policylint.engine.concrete import Evaluator
from policylint.engine.matrix import Connection, External
from policylint.queries.grouping import End, Group, Line, PairCounter, end_label, external_text
from policylint.queries.set_explain import SetExplanation

ARROW = "->"


def end_text(ev: Evaluator, e: End) -> str:
    return end_label(ev, e)


def end_json(ev: Evaluator, e: End, said: bool = True) -> dict[str, Any]:
    """`said`: an external end also carries its `text` (groups only; the pairs keep the ungrouped shape)."""
    if isinstance(e, Group):
        return {"type": "group", "namespace": e.namespace, "except": list(e.excluded), "any_pod": e.any_pod}
    if isinstance(e, External):
        cidrs = {"type": "external", "cidrs": ev.space.cidrs(e.atoms)}
        return {**cidrs, "text": external_text(ev.space, e.atoms)} if said else cidrs
    w = ev.workloads[e]
    return {"type": "workload", "namespace": w.namespace, "name": w.name, "kind": w.kind}


def render_text(ev: Evaluator, lines: Sequence[Line]) -> str:
    out = [f"{end_text(ev, ln.src)} {ARROW} {end_text(ev, ln.dst)} : {ln.conns}" for ln in lines]
    return "\n".join(out) + ("\n" if out else "")


def render_json(ev: Evaluator, lines: Sequence[Line], pairs: Iterable[Connection]) -> str:
    """`groups` (each with how many pairs it stands for) beside the exact `connections`."""
    return "".join(iter_json(ev, lines, pairs))


def iter_json(ev: Evaluator, lines: Sequence[Line], pairs: Iterable[Connection]) -> Iterator[str]:
    """The text of `render_json` in pieces: the exact pairs are encoded as they come, never held."""
    sep = '{"groups": [\n'
    counter = PairCounter(ev)
    for ln in lines:
        yield sep + json.dumps({"src": end_json(ev, ln.src), "dst": end_json(ev, ln.dst), "conns": ln.conns.to_json(),
                                "pairs": counter.count(ln)}, separators=(", ", ": "))  # fmt: skip
        sep = ",\n"
    yield ('{"groups": [\n' if sep != ",\n" else "\n") + '],\n"connections": ['
    sep = "\n"
    for c in pairs:
        yield sep + json.dumps({"src": end_json(ev, c.src, False), "dst": end_json(ev, c.dst, False),
                                "conns": c.conns.to_json()}, separators=(", ", ": "))  # fmt: skip
        sep = ",\n"
    yield "\n]}\n"


def render_csv(ev: Evaluator, lines: Sequence[Line]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["src", "dst", "conns"])
    for ln in lines:
        writer.writerow([end_text(ev, ln.src), end_text(ev, ln.dst), str(ln.conns)])
    return buf.getvalue()


def render_md(ev: Evaluator, lines: Sequence[Line]) -> str:
    out = ["| src | dst | conns |", "|---|---|---|"]
    for ln in lines:
        cells = (end_text(ev, ln.src), end_text(ev, ln.dst), str(ln.conns))
        out.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(out) + "\n"


def _namespace_of(ev: Evaluator, e: End) -> str | None:
    if isinstance(e, Group):
        return e.namespace
    return None if isinstance(e, External) else ev.workloads[e].namespace


def render_dot(ev: Evaluator, lines: Sequence[Line]) -> str:
    """One cluster per namespace holding its workloads and its group nodes; externals outside."""
    ids: dict[str, str] = {}
    clusters: dict[str | None, list[str]] = {}
    for ln in lines:
        for e in (ln.src, ln.dst):
            label = end_text(ev, e)
            if label in ids:
                continue
            ids[label] = f"n{len(ids)}"
            shape = ", shape=ellipse, style=dashed" if isinstance(e, External) else ""
            shape = ", style=bold" if isinstance(e, Group) else shape
            short = label if isinstance(e, External | Group) else f"{ev.workloads[e].name}[{ev.workloads[e].kind}]"
            clusters.setdefault(_namespace_of(ev, e), []).append(f"{ids[label]} [label={json.dumps(short)}{shape}];")
    out = ["digraph connectivity {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for i, ns in enumerate(sorted(k for k in clusters if k is not None)):
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f"    label={json.dumps('namespace ' + ns)};")
        out += [f"    {n}" for n in clusters[ns]]
        out.append("  }")
    out += [f"  {n}" for n in clusters.get(None, [])]
    for ln in lines:
        src, dst = ids[end_text(ev, ln.src)], ids[end_text(ev, ln.dst)]
        out.append(f"  {src} -> {dst} [label={json.dumps(str(ln.conns))}];")
    out.append("}")
    return "\n".join(out) + "\n"


def render(ev: Evaluator, lines: Sequence[Line], fmt: str, pairs: Iterable[Connection] = ()) -> str:
    if fmt == "json":
        return render_json(ev, lines, pairs)
    renderers = {"text": render_text, "csv": render_csv, "md": render_md, "dot": render_dot}
    return renderers[fmt](ev, lines)


def render_set(said: SetExplanation) -> str:
    """Which workloads can and cannot reach, grouped, each with the policies that decide."""
    out: list[str] = []
    for title, items in (("can", said.can), ("cannot", said.cannot)):
        if not items:
            continue
        out.append(f"{title} ({len(items)} line(s)):")
        for s in items:
            out.append(f"  {s.src} {ARROW} {s.dst} : {s.conns}")
            out += [f"      {d}" for d in s.deciding]
    return "\n".join(out) + ("\n" if out else "")
