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


@dataclass(frozen=True, slots=True)
class SidePlan:
    """One direction's sides, per workload, from isolation and rule peers alone (no ports).

    A side that is not `restricted` admits everything whatever the peer: no NetworkPolicy isolates
    it and no tier policy is about it in this direction (every tier falls through). A restricted
    side admits nothing outside `candidates`: the peers its NetworkPolicy rules name when only
    native NetworkPolicy decides it, every workload when a tier policy selects it (the tier walk
    is then asked).
    """

    restricted: list[bool]
    candidates: list[int]
    native: list[bool]  # decided by native NetworkPolicy alone (external pieces come from its rules)


def side_plan(ev: Evaluator, direction: Direction) -> SidePlan:
    touched, native_np = 0, True
    if ev.layers is not None:
        touched, native_np = ev.layers.touched(direction), ev.layers.native_network_policy
    restricted: list[bool] = []
    candidates: list[int] = []
    native: list[bool] = []
    for w in range(len(ev.workloads)):
        if has(touched, w):
            restricted.append(True)
            candidates.append(ev.universe)
            native.append(False)
        elif native_np and ev.is_isolated(w, direction):
            restricted.append(True)
            candidates.append(_candidates(ev.rules_for(w, direction)))
            native.append(True)
        else:  # with NetworkPolicy held by a tier, its isolation is that tier's policies (touched)
            restricted.append(False)
            candidates.append(0)
            native.append(True)
    return SidePlan(restricted, candidates, native)


def _workload_pairs(ev: Evaluator) -> list[tuple[int, int]]:
    plan = PairPlan(ev)
    return [(s, d) for s in range(len(ev.workloads)) for d in bit_indices(plan.destinations(s))]


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
    if ev.layers is not None:
        if has(ev.layers.touched(direction), w):
            return _layered_pieces(ev, w, direction)
        if not ev.layers.native_network_policy:
            return [(ev.space.all, ALL)]  # no tier is about it and NetworkPolicy is a tier's: all falls through
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
    without holding every pair. With tiers, sides no tier policy is about keep the NetworkPolicy
    shortcuts (engine/tiers.py: `Layers.touched`); the others are asked of the tier walk.
    """

    def __init__(self, ev: Evaluator) -> None:
        n = len(ev.workloads)
        self.ev = ev
        ingress, egress = side_plan(ev, Direction.INGRESS), side_plan(ev, Direction.EGRESS)
        # "iso": restricted (SidePlan): isolated by NetworkPolicy, or about which a tier policy is.
        self.in_iso, self.out_iso = ingress.restricted, egress.restricted
        self.out_cand = egress.candidates
        self.in_cand = ingress.candidates
        self.open_in = sum(1 << w for w in range(n) if not self.in_iso[w])
        self._out_to: list[int] | None = None
        self._open_out = 0
        # Destinations sharing one candidate-source set are handled together (rules_for is cached per
        # policy tuple, so there are few distinct sets).
        groups: dict[int, int] = {}
        for d in range(n):
            if self.in_iso[d]:
                cand = self.in_cand[d]
                groups[cand] = groups.get(cand, 0) | (1 << d)
        self.in_from = [0] * n  # restricted destinations that may admit the source
        for cand, dsts in groups.items():
            for s in bit_indices(cand):
                self.in_from[s] |= dsts

    def destinations(self, s: int) -> int:
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
            self._out_to = [0] * n  # restricted sources that may send to the destination
            for cand, srcs in groups.items():
                for t in bit_indices(cand):
                    self._out_to[t] |= srcs
            self._open_out = sum(1 << w for w in range(n) if not self.out_iso[w])
        reach = self._open_out | self._out_to[d]
        if self.in_iso[d]:
            reach &= self.in_cand[d]
        return reach & ~(1 << d)

    def conns(self, s: int, d: int) -> ConnSet:
        """What `s` may open to `d`; no evaluation when neither side is restricted."""
        if not self.out_iso[s] and not self.in_iso[d]:
            return ALL
        return self.ev.allowed_conns(s, d)


def iter_connections(ev: Evaluator, external_at: str | None = None) -> Iterator[Connection]:
    """Every connection of the matrix, in listing order (source, then destination; workloads by
    (namespace, name, kind) before external ranges), computed as it is consumed.

    Memory stays flat: one source's row at a time. Pairs where neither side is restricted (no
    NetworkPolicy isolates it, no tier policy is about it) are "All Connections" without evaluation.
    `external_at`: the external sources come where a source namespace of that name would sort,
    rather than last (the HTML map orders its namespace edges by name, the outside's included).
    """
    with gc_paused():
        plan = PairPlan(ev)
        order = workload_order(ev)
        identity = order == list(range(len(order)))
        pos = [0] * len(order)
        for p, w in enumerate(order):
            pos[w] = p
        externals_due = True
        for s in order:
            if externals_due and external_at is not None and ev.workloads[s].namespace > external_at:
                externals_due = False
                yield from _external_sources(ev, order)
            yield from _row(ev, plan, s, identity, pos)
        if externals_due:
            yield from _external_sources(ev, order)


def _row(ev: Evaluator, plan: PairPlan, s: int, identity: bool, pos: list[int]) -> Iterator[Connection]:
    dsts = bit_indices(plan.destinations(s))
    if not identity:
        dsts.sort(key=pos.__getitem__)
    in_iso = plan.in_iso
    allowed = ev.allowed_conns
    if plan.out_iso[s]:
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
