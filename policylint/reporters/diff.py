"""Rendering a connectivity diff: grouped statements (text) and the exact lists (json).

Grouping is concrete: when every workload of a namespace (at least two) gains, loses or changes
the same connection to or from one endpoint, one line says so ("every workload in namespace shop
(3) -> data/postgres[StatefulSet]") instead of one line per pair.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policylint.engine.connset import ConnSet
from policylint.findings import Finding
from policylint.queries.diff import (
    Change,
    ConnChange,
    Diff,
    DiffEndpoint,
    ExternalRange,
    WorkloadChange,
    WorkloadKey,
)
from policylint.reporters.json import finding_data

Members = dict[str, frozenset[WorkloadKey]]
GroupKey = tuple[DiffEndpoint, ConnSet, ConnSet]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a grouped listing: `pairs` connections said at once."""

    src: str
    dst: str
    conns: str
    pairs: int


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def conns_text(c: ConnChange) -> str:
    if c.kind is Change.ADDED:
        return str(c.head)
    if c.kind is Change.REMOVED:
        return str(c.base)
    parts = [f"+{c.gained}" if c.gained else "", f"-{c.lost}" if c.lost else ""]
    return " ".join(p for p in parts if p)


def _collapse(changes: list[ConnChange], members: Members, by_dst: bool) -> tuple[list[Row], list[ConnChange]]:
    """Rows for whole namespaces on the varying side; the changes left over."""
    groups: dict[GroupKey, list[ConnChange]] = {}
    for c in changes:
        groups.setdefault((c.dst if by_dst else c.src, c.gained, c.lost), []).append(c)
    rows: list[Row] = []
    used: set[int] = set()
    for (fixed, _gained, _lost), items in groups.items():
        varying = {(c.src if by_dst else c.dst): c for c in items}
        for ns, keys in sorted(members.items()):
            wanted = keys - {fixed}
            if len(wanted) < 2 or not wanted <= varying.keys():
                continue
            label = f"every workload in namespace {ns} ({len(wanted)})"
            src, dst = (label, str(fixed)) if by_dst else (str(fixed), label)
            rows.append(Row(src, dst, conns_text(items[0]), len(wanted)))
            used.update(id(varying[k]) for k in wanted)
    return rows, [c for c in changes if id(c) not in used]


def statements(diff: Diff, kind: Change) -> list[Row]:
    """The changes of one kind, with whole namespaces said in one row."""
    members = diff.base_namespaces if kind is Change.REMOVED else diff.head_namespaces
    rows, rest = _collapse(diff.of_kind(kind), members, by_dst=True)
    more, rest = _collapse(rest, members, by_dst=False)
    rows += more + [Row(str(c.src), str(c.dst), conns_text(c), 1) for c in rest]
    return rows


def workload_lines(w: WorkloadChange) -> list[str]:
    """`-> peer : conns` for connections from the workload, `<- peer : conns` for connections to it."""
    outgoing = [f"-> {c.dst} : {conns_text(c)}" for c in w.connections if c.src == w.workload]
    incoming = [f"<- {c.src} : {conns_text(c)}" for c in w.connections if c.src != w.workload]
    return outgoing + incoming or ["(no connections)"]


def exposure_lines(diff: Diff) -> list[str]:
    out = []
    for e in diff.exposures():
        where = (
            f"outside the cluster ({e.source})"
            if isinstance(e.source, ExternalRange)
            else f"namespace {e.source.namespace} ({e.source})"
        )
        out.append(f"{e.workload} is newly reachable from {where} on {e.conns}")
    return out


def headline(diff: Diff, findings: Sequence[Finding] | None = None) -> str:
    """E.g. `3 connections added, 1 removed; 2 new findings`."""
    added, removed = len(diff.of_kind(Change.ADDED)), len(diff.of_kind(Change.REMOVED))
    text = f"{plural(added, 'connection')} added, {removed} removed"
    changed = len(diff.of_kind(Change.CHANGED))
    if changed:
        text += f", {changed} changed"
    if diff.appeared:
        text += f"; {plural(len(diff.appeared), 'workload')} added"
    if diff.disappeared:
        text += f"; {plural(len(diff.disappeared), 'workload')} removed"
    if findings is not None:
        text += f"; {plural(len(findings), 'new finding')}"
    return text


TITLES = {
    Change.ADDED: "Added connections",
    Change.REMOVED: "Removed connections",
    Change.CHANGED: "Changed connections",
}


def render_text(diff: Diff, findings: Sequence[Finding] | None = None) -> str:
    if diff.empty and not findings:
        return "No connectivity change." + ("" if findings is None else " No new findings.") + "\n"
    lines = [headline(diff, findings)]
    for kind, title in TITLES.items():
        rows = statements(diff, kind)
        if rows:
            lines += ["", f"{title}:"] + [f"  {r.src} -> {r.dst} : {r.conns}" for r in rows]
    for title, group in (("New workloads", diff.appeared), ("Removed workloads", diff.disappeared)):
        if group:
            lines += ["", f"{title}:"]
            for w in group:
                lines += [f"  {w.workload}"] + [f"    {x}" for x in workload_lines(w)]
    exposures = exposure_lines(diff)
    if exposures:
        lines += ["", "New exposure:"] + [f"  {x}" for x in exposures]
    if findings:
        lines += ["", "New findings:"]
        lines += [f"  {f.span}: {f.severity.value} {f.rule} [{f.name}] {f.message}" for f in findings]
    return "\n".join(lines) + "\n"


def endpoint_json(e: DiffEndpoint) -> dict[str, Any]:
    if isinstance(e, ExternalRange):
        return {"type": "external", "cidrs": list(e.cidrs)}
    return {"type": "workload", "namespace": e.namespace, "name": e.name, "kind": e.kind}


def change_json(c: ConnChange) -> dict[str, Any]:
    data: dict[str, Any] = {"src": endpoint_json(c.src), "dst": endpoint_json(c.dst)}
    if c.kind is Change.CHANGED:
        data.update(base=c.base.to_json(), head=c.head.to_json(), gained=c.gained.to_json(), lost=c.lost.to_json())
    else:
        data["conns"] = (c.head or c.base).to_json()
    return data


def workload_json(w: WorkloadChange) -> dict[str, Any]:
    return {"workload": endpoint_json(w.workload), "connections": [change_json(c) for c in w.connections]}


def render_json(diff: Diff, findings: Sequence[Finding] | None = None) -> str:
    exposures = [
        {"workload": endpoint_json(e.workload), "source": endpoint_json(e.source), "conns": e.conns.to_json()}
        for e in diff.exposures()
    ]
    summary: dict[str, Any] = {k.value: len(diff.of_kind(k)) for k in Change}
    summary.update(workloads_added=len(diff.appeared), workloads_removed=len(diff.disappeared))
    summary["new_exposures"] = len(exposures)
    data: dict[str, Any] = {"summary": summary}
    data.update({k.value: [change_json(c) for c in diff.of_kind(k)] for k in Change})
    data["workloads_added"] = [workload_json(w) for w in diff.appeared]
    data["workloads_removed"] = [workload_json(w) for w in diff.disappeared]
    data["new_exposures"] = exposures
    if findings is not None:
        summary["new_findings"] = len(findings)
        data["new_findings"] = [finding_data(f) for f in findings]
    return json.dumps(data, indent=2) + "\n"
