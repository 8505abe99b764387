"""The whole connectivity map: every allowed connection between workloads and external ranges.

Cost grows with the number of candidate pairs, not with workloads squared: an isolated
destination only considers the sources its ingress rules name, and an unisolated one the sources
that may send to it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices, has
from policylint.engine.concrete import CompiledRule, Evaluator
from policylint.engine.connset import ALL, NONE, ConnSet
from policylint.model.policy import Direction


@dataclass(frozen=True, slots=True)
class External:
    """A set of external address atoms (see engine/cidr.py) sharing one connection set."""

    atoms: int


MatrixEndpoint = int | External


@dataclass(frozen=True, slots=True)
class Connection:
    src: MatrixEndpoint
    dst: MatrixEndpoint
    conns: ConnSet


@dataclass(slots=True)
class Matrix:
    evaluator: Evaluator
    connections: list[Connection]


def _candidates(rules: tuple[CompiledRule, ...]) -> int:
    bits = 0
    for r in rules:
        bits |= r.pods
    return bits


def _workload_pairs(ev: Evaluator) -> list[tuple[int, int]]:
    n = len(ev.workloads)
    if ev.layered:  # tiers can allow what no NetworkPolicy names: every pair is a candidate
        return [(s, d) for s in range(n) for d in range(n) if s != d]
    in_iso = [ev.is_isolated(w, Direction.INGRESS) for w in range(n)]
    out_iso = [ev.is_isolated(w, Direction.EGRESS) for w in range(n)]
    in_cand = [_candidates(ev.rules_for(w, Direction.INGRESS)) if in_iso[w] else 0 for w in range(n)]
    out_cand = [_candidates(ev.rules_for(w, Direction.EGRESS)) if out_iso[w] else 0 for w in range(n)]
    open_in = sum(1 << w for w in range(n) if not in_iso[w])
    open_out = sum(1 << w for w in range(n) if not out_iso[w])
    reverse: dict[int, int] = {}
    for s in range(n):
        if out_iso[s]:
            for d in bit_indices(out_cand[s] & open_in):
                reverse[d] = reverse.get(d, 0) | (1 << s)
    pairs: list[tuple[int, int]] = []
    for d in range(n):
        if in_iso[d]:
            pairs.extend((s, d) for s in bit_indices(in_cand[d]) if not out_iso[s] or has(out_cand[s], d))
        else:
            pairs.extend((s, d) for s in bit_indices(open_out | reverse.get(d, 0)))
    return [(s, d) for s, d in pairs if s != d]


def _partition(pieces: list[tuple[int, ConnSet]]) -> list[tuple[int, ConnSet]]:
    """Turn overlapping (atoms, conns) pieces into disjoint atoms grouped by their union of conns."""
    regions: list[tuple[int, ConnSet]] = []
    for bits, conns in pieces:
        if not bits or not conns:
            continue
        nxt: list[tuple[int, ConnSet]] = []
        rest = bits
        for r_bits, r_conns in regions:
            inter = r_bits & bits
            if inter:
                nxt.append((inter, r_conns | conns))
                if r_bits & ~bits:
                    nxt.append((r_bits & ~bits, r_conns))
                rest &= ~r_bits
            else:
                nxt.append((r_bits, r_conns))
        if rest:
            nxt.append((rest, conns))
        regions = nxt
    grouped: dict[ConnSet, int] = {}
    for bits, conns in regions:
        grouped[conns] = grouped.get(conns, 0) | bits
    return [(bits, conns) for conns, bits in grouped.items()]


def _layered_pieces(ev: Evaluator, w: int, direction: Direction) -> list[tuple[int, ConnSet]]:
    """Atoms grouped by what the tiers allow between them and `w` (one address stands for its atom)."""
    grouped: dict[ConnSet, int] = {}
    for i in range(len(ev.space.atoms)):
        conns = ev.side_conns(w, ev.space.address(i), direction)
        if conns:
            grouped[conns] = grouped.get(conns, 0) | (1 << i)
    return [(bits, conns) for conns, bits in grouped.items()]


def external_pieces(ev: Evaluator, w: int, direction: Direction) -> list[tuple[int, ConnSet]]:
    if ev.layered:
        return _layered_pieces(ev, w, direction)
    if not ev.is_isolated(w, direction):
        return [(ev.space.all, ALL)]
    dst = ev.workloads[w] if direction is Direction.INGRESS else None
    pieces = [(r.atoms, r.ports.for_destination(dst)) for r in ev.rules_for(w, direction) if r.atoms]
    return _partition(pieces)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off for a hot loop: it makes millions of short-lived tuples and sets, none
    in cycles, and each collection walks them all (+35% at 5,000 dense workloads). Restored after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def compute_matrix(ev: Evaluator) -> Matrix:
    out: list[Connection] = []
    with gc_paused():
        for s, d in _workload_pairs(ev):
            conns = ev.allowed_conns(s, d)
            if conns != NONE:
                out.append(Connection(s, d, conns))
    for w in range(len(ev.workloads)):
        for atoms, conns in external_pieces(ev, w, Direction.EGRESS):
            out.append(Connection(w, External(atoms), conns))
        for atoms, conns in external_pieces(ev, w, Direction.INGRESS):
            out.append(Connection(External(atoms), w, conns))
    return Matrix(ev, out)


def workload_order(ev: Evaluator) -> list[int]:
    """Workload indices sorted by (namespace, name, kind), ties by index: the order every listing uses."""
    ws = ev.workloads
    return sorted(range(len(ws)), key=lambda i: (ws[i].namespace, ws[i].name, ws[i].kind))


def external_rank(atoms: int) -> int:
    """External pieces sort by their lowest address atom (pieces of one endpoint are disjoint)."""
    return (atoms & -atoms).bit_length()


class PairPlan:
    """Which destinations each source may reach, from isolation and rule peers alone (no ports).

    Built per destination once, then transposed, so a listing can go source by source in rank order
    without holding every pair.
    """

    def __init__(self, ev: Evaluator) -> None:
        n = len(ev.workloads)
        self.ev = ev
        # With other tiers, isolation by NetworkPolicy no longer decides alone: no shortcuts then.
        self.layered = ev.layered
        self.in_iso = [ev.is_isolated(w, Direction.INGRESS) for w in range(n)]
        self.out_iso = [ev.is_isolated(w, Direction.EGRESS) for w in range(n)]
        self.out_cand = [_candidates(ev.rules_for(w, Direction.EGRESS)) if self.out_iso[w] else 0 for w in range(n)]
        self.open_in = sum(1 << w for w in range(n) if not self.in_iso[w])
        self.in_cand: list[int] = [0] * n
        self._out_to: list[int] | None = None
        self._open_out = 0
        # Destinations sharing one candidate-source set are handled together (rules_for is cached per
        # policy tuple, so there are few distinct sets).
        groups: dict[int, int] = {}
        for d in range(n):
            if self.in_iso[d]:
                cand = self.in_cand[d] = _candidates(ev.rules_for(d, Direction.INGRESS))
                groups[cand] = groups.get(cand, 0) | (1 << d)
        self.in_from = [0] * n  # isolated destinations whose ingress rules name the source
        for cand, dsts in groups.items():
            for s in bit_indices(cand):
                self.in_from[s] |= dsts

    def destinations(self, s: int) -> int:
        if self.layered:  # tiers can allow what no NetworkPolicy names: every pair is a candidate
            return self.ev.universe & ~(1 << s)
        reach = self.open_in | self.in_from[s]
        if self.out_iso[s]:
            reach &= self.out_cand[s]
        return reach & ~(1 << s)

    def sources(self, d: int) -> int:
        """The sources that may reach `d`: the transpose of `destinations`."""
        if self._out_to is None:
            n = len(self.in_iso)
            groups: dict[int, int] = {}
            for s in range(n):
                if self.out_iso[s]:
                    groups[self.out_cand[s]] = groups.get(self.out_cand[s], 0) | (1 << s)
            self._out_to = [0] * n  # egress-isolated sources whose egress rules name the destination
            for cand, srcs in groups.items():
                for t in bit_indices(cand):
                    self._out_to[t] |= srcs
            self._open_out = sum(1 << w for w in range(n) if not self.out_iso[w])
        if self.layered:
            return self.ev.universe & ~(1 << d)
        reach = self._open_out | self._out_to[d]
        if self.in_iso[d]:
            reach &= self.in_cand[d]
        return reach & ~(1 << d)

    def conns(self, s: int, d: int) -> ConnSet:
        """What `s` may open to `d`; no evaluation when neither side is isolated."""
        if not self.layered and not self.out_iso[s] and not self.in_iso[d]:
            return ALL
        return self.ev.allowed_conns(s, d)


def iter_connections(ev: Evaluator) -> Iterator[Connection]:
    """Every connection of the matrix, in listing order (source, then destination; workloads by
    (namespace, name, kind) before external ranges), computed as it is consumed.

    Memory stays flat: one source's row at a time. Pairs where neither side is isolated are "All
    Connections" without evaluation.
    """
    with gc_paused():
        plan = PairPlan(ev)
        order = workload_order(ev)
        identity = order == list(range(len(order)))
        pos = [0] * len(order)
        for p, w in enumerate(order):
            pos[w] = p
        for s in order:
            yield from _row(ev, plan, s, identity, pos)
        yield from _external_sources(ev, order)


def _row(ev: Evaluator, plan: PairPlan, s: int, identity: bool, pos: list[int]) -> Iterator[Connection]:
    dsts = bit_indices(plan.destinations(s))
    if not identity:
        dsts.sort(key=pos.__getitem__)
    in_iso = plan.in_iso
    allowed = ev.allowed_conns
    if plan.out_iso[s] or plan.layered:
        for d in dsts:
            conns = allowed(s, d)
            if conns:
                yield Connection(s, d, conns)
    else:
        for d in dsts:
            conns = allowed(s, d) if in_iso[d] else ALL
            if conns:
                yield Connection(s, d, conns)
    pieces = sorted(external_pieces(ev, s, Direction.EGRESS), key=lambda p: external_rank(p[0]))
    for atoms, conns in pieces:
        yield Connection(s, External(atoms), conns)


def _external_sources(ev: Evaluator, order: list[int]) -> Iterator[Connection]:
    rows: list[tuple[int, int, int, ConnSet]] = []
    for p, w in enumerate(order):
        rows.extend((external_rank(a), p, a, c) for a, c in external_pieces(ev, w, Direction.INGRESS))
    rows.sort(key=lambda r: (r[0], r[1]))
    for _, p, atoms, conns in rows:
        yield Connection(External(atoms), order[p], conns)
