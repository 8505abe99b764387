"""`query`: can A reach B (on a port), which pairs connect, and why."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Endpoint
from policylint.engine.matrix import External, compute_matrix, external_pieces
from policylint.model.policy import Direction
from policylint.queries.endpoints import EndpointSpec
from policylint.queries.explain import SideExplanation, explain_side
from policylint.queries.grouping import external_text

PAIR_LIMIT = 250_000  # above this many candidate pairs, filter the full matrix instead


@dataclass(frozen=True, slots=True)
class PairConn:
    src: str
    dst: str
    conns: ConnSet


@dataclass(slots=True)
class Answer:
    src: EndpointSpec
    dst: EndpointSpec
    want: ConnSet | None
    allowed: bool
    conns: ConnSet  # single pair: what is allowed; sets: the union over connected pairs
    pairs: list[PairConn] = field(default_factory=list)
    egress: SideExplanation | None = None
    ingress: SideExplanation | None = None
    witnesses: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    explained: object | None = None  # a set answer's set_explain.SetExplanation, when asked for
    # A set answer's pairs still to be made (pair_stream.PairStream, iterated in listing order) in
    # place of `pairs`, when the caller streams them.
    pair_stream: Iterable[PairConn] | None = None
    notes: list[str] = field(default_factory=list)  # how an endpoint was read (a Service as --from)


def _single(ev: Evaluator, spec: EndpointSpec) -> Endpoint | None:
    if spec.single:
        return bit_indices(spec.workloads)[0]
    net = spec.network
    if net is not None and net.num_addresses == 1 and not spec.workloads:
        return net.network_address
    return None


def _atoms_in(ev: Evaluator, spec: EndpointSpec) -> int:
    if spec.any_external:
        return ev.space.all
    if spec.network is None:
        return 0
    first = ev.space.atom_of(spec.network.network_address)
    last = ev.space.atom_of(spec.network.broadcast_address)
    return ((1 << (last - first + 1)) - 1) << first


def _label(ev: Evaluator, e: Endpoint | External) -> str:
    if isinstance(e, External):
        return external_text(ev.space, e.atoms)
    if isinstance(e, int):
        return ev.workloads[e].ref
    return str(e)


def _clip(conns: ConnSet, want: ConnSet | None) -> ConnSet:
    return conns if want is None else conns & want


def pair_answer(ev: Evaluator, src: EndpointSpec, dst: EndpointSpec, want: ConnSet | None) -> Answer:
    s, d = _single(ev, src), _single(ev, dst)
    assert s is not None and d is not None
    conns = ev.allowed_conns(s, d)
    egress = explain_side(ev, s, d, Direction.EGRESS, want) if isinstance(s, int) else None
    ingress = explain_side(ev, d, s, Direction.INGRESS, want) if isinstance(d, int) else None
    clipped = _clip(conns, want)
    allowed = bool(clipped) and (want is None or clipped == want)
    return Answer(src, dst, want, allowed, conns, [PairConn(_label(ev, s), _label(ev, d), clipped)],
                  egress, ingress)


def _set_pairs(ev: Evaluator, src: EndpointSpec, dst: EndpointSpec) -> list[tuple[Endpoint | External,
                                                                                 Endpoint | External, ConnSet]]:
    s_bits, d_bits = src.workloads, dst.workloads
    s_atoms, d_atoms = _atoms_in(ev, src), _atoms_in(ev, dst)
    if bin(s_bits).count("1") * bin(d_bits).count("1") > PAIR_LIMIT:
        out: list[tuple[Endpoint | External, Endpoint | External, ConnSet]] = []
        for c in compute_matrix(ev).connections:
            out.extend(_filter(c.src, c.dst, c.conns, s_bits, d_bits, s_atoms, d_atoms))
        return out
    out = [(s, d, ev.allowed_conns(s, d)) for s in bit_indices(s_bits) for d in bit_indices(d_bits) if s != d]
    for d in bit_indices(d_bits) if s_atoms else ():
        out.extend((External(a & s_atoms), d, c) for a, c in external_pieces(ev, d, Direction.INGRESS) if a & s_atoms)
    for s in bit_indices(s_bits) if d_atoms else ():
        out.extend((s, External(a & d_atoms), c) for a, c in external_pieces(ev, s, Direction.EGRESS) if a & d_atoms)
    return out


def _filter(s: int | External, d: int | External, conns: ConnSet, s_bits: int, d_bits: int, s_atoms: int,
            d_atoms: int) -> list[tuple[Endpoint | External, Endpoint | External, ConnSet]]:
    s_ok = (s_bits >> s) & 1 if isinstance(s, int) else s.atoms & s_atoms
    d_ok = (d_bits >> d) & 1 if isinstance(d, int) else d.atoms & d_atoms
    if not (s_ok and d_ok):
        return []
    s2 = External(s.atoms & s_atoms) if isinstance(s, External) else s
    d2 = External(d.atoms & d_atoms) if isinstance(d, External) else d
    return [(s2, d2, conns)]


def connected_pairs(ev: Evaluator, src: EndpointSpec, dst: EndpointSpec, want: ConnSet | None
                    ) -> list[tuple[Endpoint | External, Endpoint | External, ConnSet]]:  # fmt: skip
    """The pairs of two set ends with some connection in `want` (None: any), clipped to it."""
    pairs = ((s, d, _clip(c, want)) for s, d, c in _set_pairs(ev, src, dst))
    return [(s, d, c) for s, d, c in pairs if c]


def set_answer(ev: Evaluator, src: EndpointSpec, dst: EndpointSpec, want: ConnSet | None) -> Answer:
    pairs: list[PairConn] = []
    union = ConnSet.none()
    for s, d, conns in _set_pairs(ev, src, dst):
        clipped = _clip(conns, want)
        if clipped:
            pairs.append(PairConn(_label(ev, s), _label(ev, d), clipped))
            union = union | clipped
    pairs.sort(key=lambda p: (p.src, p.dst))
    return Answer(src, dst, want, bool(pairs), union, pairs)


def is_pair(ev: Evaluator, src: EndpointSpec, dst: EndpointSpec) -> bool:
    """Is the question about one pair (else about sets of endpoints)?"""
    return _single(ev, src) is not None and _single(ev, dst) is not None


def reach(ev: Evaluator, src: EndpointSpec, dst: EndpointSpec, want: ConnSet | None) -> Answer:
    if is_pair(ev, src, dst):
        return pair_answer(ev, src, dst, want)
    return set_answer(ev, src, dst, want)


def extra_networks(texts: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """CIDRs named in a query, so the address space is cut at their edges too."""
    out = []
    for t in texts:
        try:
            out.append(ipaddress.ip_network(t.strip(), strict=False))
        except ValueError:
            continue
    return out
