"""The connected pairs of a set answer, made source by source in the order the answer lists them.

`reach.set_answer` holds every pair (3.4 M at 5,000 dense workloads, 4.7 GB for `query --from any
--to any -f json`); these give the same pairs, sorted the same way (by source label, then destination
label), one source's row at a time, so a renderer can write them as they come.
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ALL, ConnSet
from policylint.engine.matrix import PairPlan, external_pieces, gc_paused
from policylint.model.policy import Direction
from policylint.queries.endpoints import EndpointSpec
from policylint.queries.grouping import external_text
from policylint.queries.reach import PairConn, _atoms_in, _clip

Row = list[tuple[str, ConnSet]]  # (destination label, connections) of one source


class PairStream:
    """Pairs of `src` x `dst` with some connection in `want`, clipped to it, as `set_answer` lists them."""

    def __init__(self, ev: Evaluator, src: EndpointSpec, dst: EndpointSpec, want: ConnSet | None) -> None:
        self.ev, self.want = ev, want
        self.s_bits, self.d_bits = src.workloads, dst.workloads
        self.s_atoms, self.d_atoms = _atoms_in(ev, src), _atoms_in(ev, dst)
        self.labels = [w.ref for w in ev.workloads]
        self._external: dict[int, str] = {}

    def _ext(self, atoms: int) -> str:
        text = self._external.get(atoms)
        if text is None:
            text = self._external[atoms] = external_text(self.ev.space, atoms)
        return text

    def _row(self, plan: PairPlan, s: int) -> Row:
        row: Row = []
        for d in bit_indices(plan.destinations(s) & self.d_bits):
            conns = _clip(plan.conns(s, d), self.want)
            if conns:
                row.append((self.labels[d], conns))
        if self.d_atoms:
            for a, c in external_pieces(self.ev, s, Direction.EGRESS):
                conns = _clip(c, self.want)
                if a & self.d_atoms and conns:
                    row.append((self._ext(a & self.d_atoms), conns))
        return row

    def _external_rows(self) -> dict[str, Row]:
        """Rows of the external sources (few: one per ingress piece of a destination), by label."""
        rows: dict[str, Row] = {}
        if not self.s_atoms:
            return rows
        for d in bit_indices(self.d_bits):
            for a, c in external_pieces(self.ev, d, Direction.INGRESS):
                conns = _clip(c, self.want)
                if a & self.s_atoms and conns:
                    rows.setdefault(self._ext(a & self.s_atoms), []).append((self.labels[d], conns))
        return rows

    def union(self) -> ConnSet:
        """The union of every pair's connections; stops once nothing more could be added."""
        full = ALL if self.want is None else self.want
        union = ConnSet.none()
        with gc_paused():
            plan = PairPlan(self.ev)
            for s in bit_indices(self.s_bits):
                for _, conns in self._row(plan, s):
                    union = union | conns
                if union == full:
                    return union
            for row in self._external_rows().values():
                for _, conns in row:
                    union = union | conns
        return union

    def __iter__(self) -> Iterator[PairConn]:
        with gc_paused():
            plan = PairPlan(self.ev)
            external = self._external_rows()
            sources: list[tuple[str, int]] = [(self.labels[s], s) for s in bit_indices(self.s_bits)]
            sources += [(label, -1) for label in external]
            sources.sort()
            for label, s in sources:
                row = self._row(plan, s) if s >= 0 else external[label]
                row.sort(key=lambda p: p[0])
                for dst, conns in row:
                    yield PairConn(label, dst, conns)
