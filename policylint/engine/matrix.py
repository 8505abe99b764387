"""The whole connectivity map: every allowed connection between workloads and external ranges.

Cost grows with the number of candidate pairs, not with workloads squared: an isolated
destination only considers the sources its ingress rules name, and an unisolated one the sources
that may send to it.
"""

from __future__ import annotations

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


def compute_matrix(ev: Evaluator) -> Matrix:
    out: list[Connection] = []
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
