"""Change impact: the difference between two connectivity maps (BASE and HEAD).

Workloads are matched across the sides by (namespace, name, kind). Connections between workloads
present on both sides are compared per pair; external ranges are compared as functions of the
address: both sides' address atoms are refined into one partition, so a range split differently by
the two sides' ipBlocks is still compared exactly. Workloads present on one side only are reported
with their connections rather than as added or removed pairs.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.engine.matrix import Connection, External, PairPlan, external_pieces, gc_paused, iter_connections
from policylint.findings import Finding
from policylint.model.policy import Direction
from policylint.queries.diff_scope import scope

Piece = tuple[int, int, int, ConnSet]  # family, first address, last address, connections
Delta = tuple[int, int, int, ConnSet, ConnSet]  # family, first, last, BASE conns, HEAD conns


@dataclass(frozen=True, slots=True, order=True)
class WorkloadKey:
    namespace: str
    name: str
    kind: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}[{self.kind}]"


@dataclass(frozen=True, slots=True, order=True)
class ExternalRange:
    """Addresses outside the cluster, as a minimal list of CIDRs."""

    cidrs: tuple[str, ...]

    def __str__(self) -> str:
        return ",".join(self.cidrs)


DiffEndpoint = WorkloadKey | ExternalRange


class Change(Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class ConnChange:
    """One endpoint pair whose allowed connections differ (NONE on a side: not allowed there)."""

    src: DiffEndpoint
    dst: DiffEndpoint
    base: ConnSet
    head: ConnSet

    @property
    def kind(self) -> Change:
        if not self.base:
            return Change.ADDED
        return Change.REMOVED if not self.head else Change.CHANGED

    @property
    def gained(self) -> ConnSet:
        return self.head - self.base

    @property
    def lost(self) -> ConnSet:
        return self.base - self.head

    def sort_key(self) -> tuple[int, DiffEndpoint, DiffEndpoint]:
        return (isinstance(self.src, ExternalRange) + 2 * isinstance(self.dst, ExternalRange), self.src, self.dst)


class Namespaced(Protocol):
    """A workload, or a group of them (namespace None: of every namespace)."""

    @property
    def namespace(self) -> str | None: ...


def exposing(src: ExternalRange | Namespaced, dst: ExternalRange | Namespaced) -> bool:
    """Would a gain from `src` expose `dst`: reach it from outside the cluster or from another namespace?"""
    if isinstance(dst, ExternalRange):
        return False
    return isinstance(src, ExternalRange) or src.namespace is None or src.namespace != dst.namespace


@dataclass(frozen=True, slots=True)
class WorkloadChange:
    """A workload on one side only, with every connection it has there (to or from it)."""

    workload: WorkloadKey
    appeared: bool
    connections: tuple[ConnChange, ...]


@dataclass(frozen=True, slots=True)
class Exposure:
    """A workload newly reachable from another namespace or from outside the cluster."""

    workload: WorkloadKey
    source: DiffEndpoint
    conns: ConnSet


@dataclass(frozen=True, slots=True)
class Diff:
    changes: tuple[ConnChange, ...]
    appeared: tuple[WorkloadChange, ...]
    disappeared: tuple[WorkloadChange, ...]
    base_namespaces: dict[str, frozenset[WorkloadKey]]
    head_namespaces: dict[str, frozenset[WorkloadKey]]

    def of_kind(self, kind: Change) -> list[ConnChange]:
        return [c for c in self.changes if c.kind is kind]

    @property
    def empty(self) -> bool:
        return not (self.changes or self.appeared or self.disappeared)

    def allows_more(self) -> bool:
        """Some connection is allowed on HEAD that was not on BASE."""
        return any(c.gained for c in self.changes) or any(w.connections for w in self.appeared)

    def exposures(self) -> list[Exposure]:
        gains = [c for c in self.changes if c.gained]
        gains += [c for w in self.appeared for c in w.connections if c.dst == w.workload]
        out = set()
        for c in gains:
            if isinstance(c.dst, WorkloadKey) and exposing(c.src, c.dst):
                out.add(Exposure(c.dst, c.src, c.gained))
        return sorted(out, key=lambda e: (e.workload, isinstance(e.source, ExternalRange), str(e.source)))


@dataclass(slots=True)
class SideMap:
    """One side's connectivity: workload pairs, and external pieces per (workload, outgoing?)."""

    workloads: list[WorkloadKey]
    pairs: dict[tuple[WorkloadKey, WorkloadKey], ConnSet]
    external: dict[tuple[WorkloadKey, bool], list[Piece]]


def _scoped(ev: Evaluator, rows: list[int], columns: list[int]) -> Iterator[Connection]:
    """The connections of some rows (as source, external ranges included) and some columns (as
    destination) only, each once."""
    plan = PairPlan(ev)
    done: set[tuple[int, int]] = set()
    for s in rows:
        for d in bit_indices(plan.destinations(s)):
            done.add((s, d))
            conns = plan.conns(s, d)
            if conns:
                yield Connection(s, d, conns)
        for atoms, conns in external_pieces(ev, s, Direction.EGRESS):
            yield Connection(s, External(atoms), conns)
    for d in columns:
        for s in bit_indices(plan.sources(d)):
            if (s, d) not in done:
                conns = plan.conns(s, d)
                if conns:
                    yield Connection(s, d, conns)
        for atoms, conns in external_pieces(ev, d, Direction.INGRESS):
            yield Connection(External(atoms), d, conns)


def side_map(ev: Evaluator, only: tuple[list[int], list[int]] | None = None) -> SideMap:
    """One side's connections: all of them, or only those of `only` = (rows, columns)."""
    keys = [WorkloadKey(w.namespace, w.name, w.kind) for w in ev.workloads]
    pairs: dict[tuple[WorkloadKey, WorkloadKey], ConnSet] = {}
    external: dict[tuple[WorkloadKey, bool], list[Piece]] = {}
    with gc_paused():
        for c in iter_connections(ev) if only is None else _scoped(ev, *only):
            if isinstance(c.src, int) and isinstance(c.dst, int):
                pair = (keys[c.src], keys[c.dst])
                pairs[pair] = pairs.get(pair, NONE) | c.conns
            elif isinstance(c.src, int) and isinstance(c.dst, External):
                pieces = external.setdefault((keys[c.src], True), [])
                pieces.extend((fam, lo, hi, c.conns) for fam, lo, hi in ev.space.ranges(c.dst.atoms))
            elif isinstance(c.src, External) and isinstance(c.dst, int):
                pieces = external.setdefault((keys[c.dst], False), [])
                pieces.extend((fam, lo, hi, c.conns) for fam, lo, hi in ev.space.ranges(c.src.atoms))
    return SideMap(sorted(set(keys)), pairs, {k: sorted(v, key=lambda p: p[:3]) for k, v in external.items()})


def _lookup(pieces: Sequence[Piece], starts: Sequence[tuple[int, int]], fam: int, addr: int) -> ConnSet:
    i = bisect.bisect_right(starts, (fam, addr)) - 1
    if i >= 0 and pieces[i][0] == fam and pieces[i][1] <= addr <= pieces[i][2]:
        return pieces[i][3]
    return NONE


def refine(base: Sequence[Piece], head: Sequence[Piece]) -> list[Delta]:
    """The address ranges where BASE and HEAD differ: (family, first, last, base conns, head conns)."""
    cuts = sorted({(p[0], p[1]) for p in (*base, *head)} | {(p[0], p[2] + 1) for p in (*base, *head)})
    starts_b = [(p[0], p[1]) for p in base]
    starts_h = [(p[0], p[1]) for p in head]
    out: list[Delta] = []
    for (fam, lo), (nfam, nxt) in zip(cuts, cuts[1:], strict=False):
        if nfam != fam:
            continue
        b, h = _lookup(base, starts_b, fam, lo), _lookup(head, starts_h, fam, lo)
        if b != h:
            out.append((fam, lo, nxt - 1, b, h))
    return out


def cidrs(ranges: Iterable[tuple[int, int, int]]) -> ExternalRange:
    merged: list[tuple[int, int, int]] = []
    for fam, lo, hi in sorted(ranges):
        if merged and merged[-1][0] == fam and merged[-1][2] + 1 == lo:
            merged[-1] = (fam, merged[-1][1], hi)
        else:
            merged.append((fam, lo, hi))
    out: list[str] = []
    for fam, lo, hi in merged:
        cls = ipaddress.IPv4Address if fam == 4 else ipaddress.IPv6Address
        out.extend(str(n) for n in ipaddress.summarize_address_range(cls(lo), cls(hi)))
    return ExternalRange(tuple(out))


def external_changes(w: WorkloadKey, outgoing: bool, base: Sequence[Piece], head: Sequence[Piece]) -> list[ConnChange]:
    """Differing ranges grouped by (base conns, head conns), each group one change."""
    groups: dict[tuple[ConnSet, ConnSet], list[tuple[int, int, int]]] = {}
    for fam, lo, hi, b, h in refine(base, head):
        groups.setdefault((b, h), []).append((fam, lo, hi))
    out = []
    for (b, h), ranges in groups.items():
        ext = cidrs(ranges)
        out.append(ConnChange(w, ext, b, h) if outgoing else ConnChange(ext, w, b, h))
    return out


def _pair_changes(base: SideMap, head: SideMap, common: set[WorkloadKey]) -> list[ConnChange]:
    out = []
    for pair in set(base.pairs) | set(head.pairs):
        if pair[0] in common and pair[1] in common:
            b, h = base.pairs.get(pair, NONE), head.pairs.get(pair, NONE)
            if b != h:
                out.append(ConnChange(pair[0], pair[1], b, h))
    for key in set(base.external) | set(head.external):
        if key[0] in common:
            out.extend(external_changes(key[0], key[1], base.external.get(key, []), head.external.get(key, [])))
    return out


def _one_sided(side: SideMap, only: set[WorkloadKey], appeared: bool) -> list[WorkloadChange]:
    out = []
    # The pairs of each workload gathered in one pass: scanning every pair per workload was cubic
    # in the number of workloads (a first pull request adding 500 pods: 44 s).
    touching: dict[WorkloadKey, list[tuple[WorkloadKey, WorkloadKey, ConnSet]]] = {w: [] for w in only}
    for (s, d), c in side.pairs.items():
        for end in (s, d) if s != d else (s,):
            if end in touching:
                touching[end].append((s, d, c))
    for w in sorted(only):
        conns = touching[w]
        rows = [ConnChange(s, d, NONE if appeared else c, c if appeared else NONE) for s, d, c in conns]
        for outgoing in (True, False):
            none: list[Piece] = []
            pieces = side.external.get((w, outgoing), [])
            rows += external_changes(w, outgoing, none if appeared else pieces, pieces if appeared else none)
        out.append(WorkloadChange(w, appeared, tuple(sorted(rows, key=ConnChange.sort_key))))
    return out


def _namespaces(keys: Iterable[WorkloadKey]) -> dict[str, frozenset[WorkloadKey]]:
    out: dict[str, set[WorkloadKey]] = {}
    for k in keys:
        out.setdefault(k.namespace, set()).add(k)
    return {ns: frozenset(v) for ns, v in out.items()}


def diff(base: Evaluator, head: Evaluator) -> Diff:
    """Every difference in allowed connections between two clusters.

    When only policies differ, only the rows and columns of workloads whose policies changed are
    computed (queries/diff_scope.py); the result is the same as comparing everything.
    """
    sc = scope(base, head)
    if sc is None:
        b, h = side_map(base), side_map(head)
    else:
        b = side_map(base, (sc.rows, sc.columns))
        h = side_map(head, ([sc.head_of[r] for r in sc.rows], [sc.head_of[c] for c in sc.columns]))
    common = set(b.workloads) & set(h.workloads)
    changes = sorted(_pair_changes(b, h, common), key=ConnChange.sort_key)
    return Diff(
        tuple(changes),
        tuple(_one_sided(h, set(h.workloads) - common, appeared=True)),
        tuple(_one_sided(b, set(b.workloads) - common, appeared=False)),
        _namespaces(b.workloads),
        _namespaces(h.workloads),
    )


FindingKey = tuple[str, str, str]


def new_findings(base: Iterable[Finding], head: Iterable[Finding]) -> list[Finding]:
    """HEAD findings not on BASE, matched by (rule, file, message): line shifts do not matter."""
    seen: Counter[FindingKey] = Counter((f.rule, f.span.file, f.message) for f in base)
    out = []
    for f in head:
        key = (f.rule, f.span.file, f.message)
        if seen[key]:
            seen[key] -= 1
        else:
            out.append(f)
    return out
