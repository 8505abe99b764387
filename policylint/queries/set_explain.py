"""Set queries that explain: which workloads can (and cannot) reach an endpoint, grouped like the
map (queries/grouping.py), each group with the policies that decide for it.

The deciding policies of a group are those of one of its pairs (its first), the same rule
explanation `query` gives for a single pair; every pair of a group has the same connections.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ALL, ConnSet
from policylint.engine.flow import Endpoint
from policylint.engine.matrix import Connection, External, MatrixEndpoint
from policylint.queries.endpoints import EndpointSpec
from policylint.queries.explain import SideExplanation
from policylint.queries.grouping import Group, Line, end_label, expand, group_rows
from policylint.queries.reach import Answer, pair_answer


@dataclass(frozen=True, slots=True)
class Said:
    src: str
    dst: str
    conns: str
    deciding: tuple[str, ...]  # `shop/api egress rule 1 (file:line:col)` or `... blocked: isolated by ...`

    @classmethod
    def of(cls, ev: Evaluator, ln: Line) -> Said:
        return cls(end_label(ev, ln.src), end_label(ev, ln.dst), str(ln.conns), deciding(ev, ln))


@dataclass(frozen=True, slots=True)
class SetExplanation:
    can: tuple[Said, ...]
    cannot: tuple[Said, ...]  # grouped the same way, with `conns` the connections asked about


def _spec(ev: Evaluator, e: MatrixEndpoint) -> EndpointSpec:
    if isinstance(e, External):
        net = ipaddress.ip_network(ev.space.cidrs(e.atoms)[0])
        return EndpointSpec(str(net), 0, network=ipaddress.ip_network(net[net.num_addresses // 2]))
    return EndpointSpec(ev.workloads[e].ref, 1 << e, single=True)


def _side(side: SideExplanation | None) -> list[str]:
    if side is None or not side.governed:
        return []
    word = "egress" if side.direction.value == "Egress" else "ingress"
    if not side.isolated:
        return [f"{side.endpoint}: not isolated for {word}"]
    if side.allowing:
        return [f"{n.policy} {word} rule {n.rule} ({n.span})" for n in side.allowing]
    return [f"{word} of {side.endpoint} blocked: isolated by " + ", ".join(f"{p} ({s})" for p, s in side.isolating)]


def deciding(ev: Evaluator, ln: Line) -> tuple[str, ...]:
    pair = next(expand(ev, ln), None)
    if pair is None:
        return ()
    answer: Answer = pair_answer(ev, _spec(ev, pair.src), _spec(ev, pair.dst), ln.conns)
    said = _side(answer.egress) + _side(answer.ingress)
    if isinstance(ln.src, Group) or isinstance(ln.dst, Group):  # one pair of the group, as `query` would explain it
        said.insert(0, f"for example {end_label(ev, pair.src)} -> {end_label(ev, pair.dst)}:")
    return tuple(said)


def explain_set(ev: Evaluator, answer: Answer, pairs: list[tuple[Endpoint | External, Endpoint | External, ConnSet]],
                want: ConnSet | None) -> SetExplanation:  # fmt: skip
    """`pairs` are the connected pairs of a set answer (reach._set_pairs, clipped to `want`)."""
    rows = [Connection(s, d, c) for s, d, c in pairs if isinstance(s, int | External) and isinstance(d, int | External)]
    can = group_rows(ev, rows)
    # The workloads of a set end with no connection to (or from) a single other end.
    missing: list[Connection] = []
    src_single, dst_single = answer.src.single, answer.dst.single
    if dst_single and not src_single:
        d = bit_indices(answer.dst.workloads)[0]
        reached = {c.src for c in rows}
        missing = [Connection(s, d, want or ALL) for s in bit_indices(answer.src.workloads)
                   if s not in reached and s != d]  # fmt: skip
    elif src_single and not dst_single:
        s = bit_indices(answer.src.workloads)[0]
        reached = {c.dst for c in rows}
        missing = [Connection(s, d, want or ALL) for d in bit_indices(answer.dst.workloads)
                   if d not in reached and d != s]  # fmt: skip
    cannot = group_rows(ev, missing)
    return SetExplanation(tuple(Said.of(ev, ln) for ln in can), tuple(Said.of(ev, ln) for ln in cannot))
