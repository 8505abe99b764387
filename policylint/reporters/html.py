"""`matrix --format html`: one self-contained interactive page (no network fetches, no library).

The page is aggregated by namespace first, so it stays small at thousands of workloads: the
namespace x namespace edges (pairs, union of connections, openness) and, per edge, the exact
grouped lines of queries/grouping.py. Each line carries the explanation `policylint query` gives
for one of its pairs, computed here (for the first MAX_EXPLAINED lines), so a click needs no server.

The page is written as it is computed (`iter_page`): one source namespace's rows are held at a
time, each line is encoded when it is made, and the edges, which count their lines, come last.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator
from importlib import resources
from itertools import groupby
from typing import Any, NamedTuple

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.engine.matrix import Connection, External, MatrixEndpoint
from policylint.queries.endpoints import EndpointSpec
from policylint.queries.grouping import Group, Grouper, Line, expand, line_key
from policylint.queries.reach import pair_answer
from policylint.reporters.grouped import end_text
from policylint.reporters.query import render_text

EXTERNAL = "(outside the cluster)"
DATA_MARK = '"/*DATA*/"'  # in assets/map.html: where the page's data goes
MAX_EXPLAINED = 2_000  # explanations are ~1 kB each; past this, the page says which query to run


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


class _Edge(NamedTuple):
    """What the page says of one namespace edge, kept until the lines are all written."""

    src: str
    dst: str
    pairs: int
    conns: ConnSet
    first: int  # its lines are lines[first:last]
    last: int


def _encode(value: Any) -> str:
    # `</` would end the script element early; JSON allows `<\/`. No piece cuts a string, so
    # escaping piece by piece is escaping the whole.
    return _ENCODER.encode(value).replace("</", "<\\/")


_ENCODER = json.JSONEncoder(separators=(",", ":"))  # one encoder for the run, not one per line


def _by_source_namespace(
    ev: Evaluator, rows: Iterable[Connection]
) -> Iterator[tuple[str, dict[str, list[Connection]]]]:
    """Each source namespace's rows in turn, by destination namespace: one source namespace's rows
    are held at a time."""
    where = [w.namespace for w in ev.workloads]
    last: str | None = None
    for ns, group in groupby(rows, key=lambda c: where[c.src] if isinstance(c.src, int) else EXTERNAL):
        if last is not None and ns <= last:
            raise ValueError(
                f"rows of source namespace {ns!r} after {last!r}: the page needs them grouped by source "
                "namespace in name order (iter_connections(ev, external_at=EXTERNAL))"
            )
        last = ns
        parts: dict[str, list[Connection]] = {}
        for c in group:
            parts.setdefault(where[c.dst] if isinstance(c.dst, int) else EXTERNAL, []).append(c)
        yield ns, parts


def _page_lines(ev: Evaluator, rows: Iterable[Connection], edges: list[_Edge]) -> Iterator[str]:
    """The grouped lines of each namespace edge, in edge order, each as the JSON of one line;
    the edges are appended to `edges` as their lines are done."""
    grouper = Grouper(ev)
    count = 0
    for s_ns, parts in _by_source_namespace(ev, rows):
        for d_ns in sorted(parts):
            part = parts.pop(d_ns)
            conns = NONE
            for each in dict.fromkeys(c.conns for c in part):  # few distinct sets among many rows
                conns = conns | each
            grouped = grouper.collapse_rows(part, True)  # the first pass reads the rows, no Line per row
            for vary_src in (False, True, False):
                grouped = grouper.collapse(grouped, vary_src)
            first = count
            for ln in sorted(grouped, key=lambda x: line_key(ev, x)):
                said = explain(ev, ln) if count < MAX_EXPLAINED else (
                    "not precomputed (the page explains the first lines only): run "
                    f"policylint query --from {end_text(ev, ln.src)} --to {end_text(ev, ln.dst)}")  # fmt: skip
                yield _encode({"s": _end(ev, ln.src), "d": _end(ev, ln.dst), "c": str(ln.conns),
                               "p": _conns_json(ln.conns), "x": said})  # fmt: skip
                count += 1
            edges.append(_Edge(s_ns, d_ns, len(part), conns, first, count))


def iter_data(ev: Evaluator, rows: Iterable[Connection]) -> Iterator[str]:
    """The page's data as JSON, in pieces: namespaces with their workloads, the grouped lines of each
    namespace edge, then the edges (pairs, union of connections, the indices of their lines).

    `rows` in listing order but with the external sources where EXTERNAL sorts among the namespace
    names (`iter_connections(ev, external_at=EXTERNAL)`): one source namespace's rows are held at a
    time, and the lines come before the edges that count them, so no line is held once written.
    """
    namespaces: dict[str, list[dict[str, str]]] = {}
    for w in ev.workloads:
        namespaces.setdefault(w.namespace, []).append({"name": w.name, "kind": w.kind, "ref": w.ref})
    yield '{"namespaces":['
    yield ",".join(_encode({"name": ns, "workloads": ws}) for ns, ws in sorted(namespaces.items()))
    del namespaces
    yield '],"lines":['
    edges: list[_Edge] = []
    sep = ""
    for line in _page_lines(ev, rows, edges):
        yield sep + line
        sep = ","
    yield '],"edges":['
    sep = ""
    for e in edges:
        yield sep + _encode({"s": e.src, "d": e.dst, "pairs": e.pairs, "c": str(e.conns),
                             "p": _conns_json(e.conns), "lines": list(range(e.first, e.last))})  # fmt: skip
        sep = ","
    yield f'],"external":{_encode(EXTERNAL)}}}'


def _conns_json(conns: ConnSet) -> dict[str, list[list[int]]]:
    return conns.to_json()


def _asset(name: str) -> str:
    return resources.files("policylint.reporters").joinpath("assets", name).read_text(encoding="utf-8")


def _template() -> tuple[str, str]:
    """The page around its data: styles and script inlined, then cut where the data goes."""
    page = _asset("map.html").replace("/*STYLE*/", _asset("map.css")).replace("/*SCRIPT*/", _asset("map.js"))
    head, mark, tail = page.partition(DATA_MARK)
    if not mark or DATA_MARK in tail:
        raise ValueError(f"map.html must hold {DATA_MARK} exactly once")
    return head, tail


def iter_page(ev: Evaluator, rows: Iterable[Connection]) -> Iterator[str]:
    """The whole page in pieces, written as it is computed (`iter_data` says what `rows` must be)."""
    head, tail = _template()
    yield head
    yield from iter_data(ev, rows)
    yield tail
