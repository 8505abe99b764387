"""Rendering a connectivity diff: grouped statements (text) and the exact lists (json).

The statements (queries/diff_statements.py) say a whole namespace in one line, and are what text
and md list; json has them beside the exact lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from policylint.findings import Finding
from policylint.queries.diff import (
    Change,
    ConnChange,
    DiffEndpoint,
    ExternalRange,
    WorkloadChange,
    WorkloadKey,
)
from policylint.queries.diff_statements import Group, Statement, StatementEnd, exposes
from policylint.queries.exposure_diff import describe
from policylint.queries.impact import Impact
from policylint.reporters.exposure import exposure_item as entry_item
from policylint.reporters.json import finding_data
from policylint.reporters.stream import Items, iter_json

Said = dict[Change, list[Statement]]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def conns_text(c: ConnChange | Statement) -> str:
    """All of it when added or removed; `+gained -lost` when changed."""
    if c.kind is Change.ADDED:
        return str(c.gained)
    if c.kind is Change.REMOVED:
        return str(c.lost)
    parts = [f"+{c.gained}" if c.gained else "", f"-{c.lost}" if c.lost else ""]
    return " ".join(p for p in parts if p)


def workload_lines(impact: Impact, w: WorkloadChange) -> list[str]:
    """`-> peer : conns` for connections from the workload, `<- peer : conns` for connections to it."""
    said = impact.workloads[w.workload]
    outgoing = [f"-> {st.dst} : {conns_text(st)}" for st in said if st.src == w.workload]
    incoming = [f"<- {st.src} : {conns_text(st)}" for st in said if st.src != w.workload]
    return outgoing + incoming or ["(no connections)"]


def exposure_lines(impact: Impact) -> list[str]:
    """One line per statement that exposes a workload, and one per new workload exposed (its peers and
    ports are listed under New workloads)."""
    out = []
    for st in (st for kind in Change for st in impact.said[kind] if exposes(st)):
        if isinstance(st.src, ExternalRange):
            where = f"outside the cluster ({st.src})"
        else:
            where = f"namespace {st.src.namespace} ({st.src})" if isinstance(st.src, WorkloadKey) else str(st.src)
        out.append(f"{st.dst} is newly reachable from {where} on {st.gained}")
    for w in impact.diff.appeared:
        sources = [st.src for st in impact.workloads[w.workload] if st.dst == w.workload and exposes(st)]
        if sources:
            out.append(f"{w.workload} (new) is reachable from {_sources_text(sources)}")
    return out + [str(x) for x in impact.possible_exposures]


def _sources_text(sources: Sequence[StatementEnd]) -> str:
    """E.g. `any pod in any namespace`, `3 other namespaces and outside the cluster (0.0.0.0/0)`."""
    parts = [str(e) for e in sources if isinstance(e, Group) and e.any_pod and e.namespace is None]
    if not parts:
        spaces = sorted({e.namespace for e in sources if not isinstance(e, ExternalRange) and e.namespace})
        if spaces:
            parts.append(f"namespace {spaces[0]}" if len(spaces) == 1 else f"{len(spaces)} other namespaces")
    ranges = [str(e) for e in sources if isinstance(e, ExternalRange)]
    if ranges:
        parts.append(f"outside the cluster ({','.join(ranges)})")
    return " and ".join(parts)


def headline(impact: Impact) -> str:
    """E.g. `3 connections added, 1 removed; 2 new findings, 1 fixed`."""
    diff = impact.diff
    added, removed = len(diff.of_kind(Change.ADDED)), len(diff.of_kind(Change.REMOVED))
    text = f"{plural(added, 'connection')} added, {removed} removed"
    changed = len(diff.of_kind(Change.CHANGED))
    if changed:
        text += f", {changed} changed"
    if diff.appeared:
        text += f"; {plural(len(diff.appeared), 'workload')} added"
    if diff.disappeared:
        text += f"; {plural(len(diff.disappeared), 'workload')} removed"
    if impact.possible_exposures:
        text += f"; {plural(len(impact.possible_exposures), 'workload')} newly reachable from pods outside the input"
    if impact.new_findings is not None:
        text += f"; {plural(len(impact.new_findings), 'new finding')}"
        text += f", {len(impact.fixed_findings)} fixed" if impact.fixed_findings else ""
    if impact.unseen:
        text += f"; {plural(len(impact.unseen), 'note')} on what it could not see{sides(impact.unseen)}"
    return text


def sides(unseen: Sequence[str]) -> str:
    """' (15 on BASE)': where the notes come from, so "15 workloads added" reads as BASE's blind spot."""
    counts = [(label, sum(x.startswith(label + " ") for x in unseen)) for label in ("BASE", "HEAD")]
    parts = [f"{n} on {label}" for label, n in counts if n]
    return f" ({', '.join(parts)})" if parts else ""


TITLES = {
    Change.ADDED: "Added connections",
    Change.REMOVED: "Removed connections",
    Change.CHANGED: "Changed connections",
}


def finding_line(f: Finding) -> str:
    return f"  {f.span}: {f.severity.value} {f.rule} [{f.name}] {f.message}"


def text_lines(impact: Impact) -> Iterator[str]:
    """The text report, line by line (each with its newline), made as it is written. The notes on
    what the diff could not see go to stderr (cli/diff.py), beside the answer."""
    if impact.empty:
        seen = f" ({plural(len(impact.unseen), 'note')} on what it could not see)" if impact.unseen else ""
        yield "No connectivity change" + seen + "." + (" No new findings." if impact.linted else "") + "\n"
        return
    diff, said = impact.diff, impact.said
    yield headline(impact) + "\n"
    for title, entries in (("New ways in from outside", impact.entries.opened),
                           ("Closed ways in from outside", impact.entries.closed)):  # fmt: skip
        if entries:
            yield f"\n{title}:\n"
            yield from (f"  {describe(e)}\n" for e in entries)
    for kind, title in TITLES.items():
        if said[kind]:
            yield f"\n{title}:\n"
            yield from (f"  {r.src} -> {r.dst} : {conns_text(r)}\n" for r in said[kind])
    for title, group in (("New workloads", diff.appeared), ("Removed workloads", diff.disappeared)):
        if group:
            yield f"\n{title}:\n"
            for w in group:
                yield f"  {w.workload}\n"
                yield from (f"    {x}\n" for x in workload_lines(impact, w))
    exposures = exposure_lines(impact)
    if exposures:
        yield "\nNew exposure:\n"
        yield from (f"  {x}\n" for x in exposures)
    for title, found in (
        ("New findings", impact.new_findings),
        ("Fixed findings (lines as on BASE)", impact.fixed_findings),
    ):
        if found:
            yield f"\n{title}:\n"
            yield from (finding_line(f) + "\n" for f in found)


def render_text(impact: Impact) -> str:
    return "".join(text_lines(impact))


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


def end_json(e: StatementEnd) -> dict[str, Any]:
    if isinstance(e, Group):
        data = {"type": "group", "namespace": e.namespace, "workloads": e.workloads, "any_pod": e.any_pod}
        if e.of:
            data["of"] = e.of
        return data | {"except": list(e.excluded)} if e.excluded else data
    return endpoint_json(e)


def statement_json(s: Statement) -> dict[str, Any]:
    return {
        "kind": s.kind.value,
        "src": end_json(s.src),
        "dst": end_json(s.dst),
        "gained": s.gained.to_json(),
        "lost": s.lost.to_json(),
        "pairs": s.pairs,
    }


def json_chunks(impact: Impact) -> Iterator[str]:
    """The json report in pieces: each change, workload and statement encoded as it is written."""
    diff = impact.diff
    exposures = [
        {"workload": endpoint_json(e.workload), "source": endpoint_json(e.source), "conns": e.conns.to_json()}
        for e in diff.exposures()
    ]
    summary: dict[str, Any] = {k.value: len(diff.of_kind(k)) for k in Change}
    summary.update(workloads_added=len(diff.appeared), workloads_removed=len(diff.disappeared))
    summary["new_exposures"] = len(exposures)
    summary["possible_exposures"] = len(impact.possible_exposures)
    summary["unseen"] = len(impact.unseen)
    data: dict[str, Any] = {"summary": summary}
    data.update({k.value: Items(change_json(c) for c in diff.of_kind(k)) for k in Change})
    data["workloads_added"] = Items(workload_json(w) for w in diff.appeared)
    data["workloads_removed"] = Items(workload_json(w) for w in diff.disappeared)
    data["new_exposures"] = exposures
    data["possible_exposures"] = [
        {"workload": endpoint_json(x.workload), "example_source": x.source, "protocol": x.protocol.value,
         "port": x.port}
        for x in impact.possible_exposures
    ]  # fmt: skip
    data["unseen"] = list(impact.unseen)  # what BASE or HEAD could not read or model, and what z3 could not decide
    data["statements"] = Items(statement_json(st) for kind in Change for st in impact.said[kind])
    summary.update(entries_opened=len(impact.entries.opened), entries_closed=len(impact.entries.closed))
    data["entries_opened"] = [entry_item(e) for e in impact.entries.opened]
    data["entries_closed"] = [entry_item(e) for e in impact.entries.closed]
    if impact.new_findings is not None:
        fixed = impact.fixed_findings or []
        summary.update(new_findings=len(impact.new_findings), fixed_findings=len(fixed))
        data["new_findings"] = Items(finding_data(f) for f in impact.new_findings)
        data["fixed_findings"] = Items(finding_data(f) for f in fixed)
    yield from iter_json(data)
    yield "\n"


def render_json(impact: Impact) -> str:
    return "".join(json_chunks(impact))
