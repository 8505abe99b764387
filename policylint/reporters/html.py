"""`matrix --format html`: one self-contained interactive page (no network fetches, no library).

The page is aggregated by namespace first, so it stays small at thousands of workloads: the
namespace x namespace edges (pairs, union of connections, openness) and, per edge, the exact
grouped lines of queries/grouping.py. Each line carries the explanation `policylint query` gives
for one of its pairs, computed here (for the first MAX_EXPLAINED lines), so a click needs no server.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.engine.matrix import Connection, External, MatrixEndpoint
from policylint.queries.endpoints import EndpointSpec
from policylint.queries.grouping import Group, Grouper, Line, expand, line_key
from policylint.queries.reach import pair_answer
from policylint.reporters.grouped import end_text
from policylint.reporters.query import render_text

EXTERNAL = "(outside the cluster)"
MAX_EXPLAINED = 2_000  # explanations are ~1 kB each; past this, the page says which query to run


def _ns(ev: Evaluator, e: MatrixEndpoint) -> str:
    return EXTERNAL if isinstance(e, External) else ev.workloads[e].namespace


def _spec(ev: Evaluator, e: MatrixEndpoint) -> EndpointSpec:
    if isinstance(e, External):
        address = _address(ev, e)
        return EndpointSpec(str(address), 0, network=ipaddress.ip_network(address))
    return EndpointSpec(ev.workloads[e].ref, 1 << e, single=True)


def _address(ev: Evaluator, e: External) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address inside the range, mid-block rather than a network or broadcast address."""
    net = ipaddress.ip_network(ev.space.cidrs(e.atoms)[0])
    return net[net.num_addresses // 2]


def _query_text(ev: Evaluator, e: MatrixEndpoint) -> str:
    return str(_address(ev, e)) if isinstance(e, External) else ev.workloads[e].ref


def explain(ev: Evaluator, ln: Line) -> str:
    """What `policylint query` says for the line's first pair (for a group: an example pair)."""
    pair = next(expand(ev, ln), None)
    if pair is None:
        return ""
    text = render_text(pair_answer(ev, _spec(ev, pair.src), _spec(ev, pair.dst), None))
    if isinstance(ln.src, Group) or isinstance(ln.dst, Group):
        text = f"for example, one pair of this line:\n$ policylint query --from {_query_text(ev, pair.src)} " \
               f"--to {_query_text(ev, pair.dst)}\n{text}"  # fmt: skip
    return text


def _end(ev: Evaluator, e: MatrixEndpoint | Group) -> dict[str, Any]:
    if isinstance(e, Group):
        return {"g": e.namespace, "x": list(e.excluded), "t": end_text(ev, e)}
    if isinstance(e, External):
        return {"e": 1, "t": end_text(ev, e)}
    return {"w": ev.workloads[e].ref, "t": end_text(ev, e)}


def page_data(ev: Evaluator, rows: Sequence[Connection]) -> dict[str, Any]:
    """Namespaces with their workloads, namespace edges, and the grouped lines of each edge."""
    namespaces: dict[str, list[dict[str, str]]] = {}
    for w in ev.workloads:
        namespaces.setdefault(w.namespace, []).append({"name": w.name, "kind": w.kind, "ref": w.ref})
    parts: dict[tuple[str, str], list[Line]] = {}
    for c in rows:
        parts.setdefault((_ns(ev, c.src), _ns(ev, c.dst)), []).append(Line(c.src, c.dst, c.conns))
    grouper = Grouper(ev)
    edges: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for (s_ns, d_ns), part in sorted(parts.items()):
        conns = NONE
        for ln in part:
            conns = conns | ln.conns
        grouped = part
        for vary_src in (True, False, True, False):
            grouped = grouper.collapse(grouped, vary_src)
        first = len(lines)
        for ln in sorted(grouped, key=lambda x: line_key(ev, x)):
            said = explain(ev, ln) if len(lines) < MAX_EXPLAINED else (
                "not precomputed (the page explains the first lines only): run "
                f"policylint query --from {end_text(ev, ln.src)} --to {end_text(ev, ln.dst)}")  # fmt: skip
            lines.append({"s": _end(ev, ln.src), "d": _end(ev, ln.dst), "c": str(ln.conns),
                          "p": _conns_json(ln.conns), "x": said})  # fmt: skip
        edges.append({"s": s_ns, "d": d_ns, "pairs": len(part), "c": str(conns), "p": _conns_json(conns),
                      "lines": list(range(first, len(lines)))})  # fmt: skip
    listed = [{"name": ns, "workloads": ws} for ns, ws in sorted(namespaces.items())]
    return {"namespaces": listed, "edges": edges, "lines": lines, "external": EXTERNAL}


def _conns_json(conns: ConnSet) -> dict[str, list[list[int]]]:
    return conns.to_json()


def _asset(name: str) -> str:
    return resources.files("policylint.reporters").joinpath("assets", name).read_text(encoding="utf-8")


def render(ev: Evaluator, rows: Sequence[Connection]) -> str:
    # `</` would end the script element early; JSON allows `<\/`.
    data = json.dumps(page_data(ev, rows), separators=(",", ":")).replace("</", "<\\/")
    return (
        _asset("map.html")
        .replace("/*STYLE*/", _asset("map.css"))
        .replace("/*SCRIPT*/", _asset("map.js"))
        .replace('"/*DATA*/"', data)
    )
