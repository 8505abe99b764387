"""The connectivity map said in few exact lines: whole namespaces at once, with a few exceptions.

A grouped line stands for every pair it expands to (`expand`), and each pair of the map is in
exactly one line, so the grouping loses nothing. Expansion rules:

* `every workload in namespace a` is each workload of `a`; `... except x[Kind], y[Kind]` leaves
  those out; `every workload in every namespace` is each workload of the input;
* a workload is never paired with itself (the map never lists a workload to itself), so
  `every workload in namespace a -> every workload in namespace a` is each pair of two distinct
  workloads of `a`;
* `any pod in namespace a` (proven by z3, see `prove`) also covers pods the input does not have;
  over the workloads of the input it expands as `every workload in namespace a`.

Grouping is concrete first, the same way diff_statements.py groups a diff: sources sharing one
destination and one connection set collapse per namespace, then destinations, then again each.
"""

from __future__ import annotations

import ipaddress
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from policylint.engine.cidr import AddressSpace
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ALL, ConnSet
from policylint.engine.matrix import Connection, External, MatrixEndpoint

if TYPE_CHECKING:  # z3 is imported where a proof is asked for, not by every listing (50 ms)
    from policylint.engine.smt import EndpointSpec

# "every workload in namespace a except x, y, z": at most this many exceptions, and always fewer
# than the workloads the line keeps. Measured on the dense 5,000-workload bench cluster (namespaces
# of ~25 workloads, several with policies of their own): 3 left 1,092,997 lines of 1,237,010 pairs,
# 6 left 515,696, 12 leaves 8,370 (bench/RESULTS.md). A long exception list on one line reads
# better than a screen of lines that differ in one workload.
MAX_EXCLUDED = 12
MAX_CIDRS = 16  # an external end cut into more pieces than this is not worth a proof


@dataclass(frozen=True, slots=True, order=True)
class Group:
    """Workloads of one namespace (None: of every namespace), less `excluded` (`name[Kind]`)."""

    namespace: str | None
    excluded: tuple[str, ...] = ()
    any_pod: bool = False  # proven for every pod that could exist there, not only the input's workloads

    def __str__(self) -> str:
        where = "every namespace" if self.namespace is None else f"namespace {self.namespace}"
        if self.any_pod:
            return f"any pod in {'any namespace' if self.namespace is None else where}"
        but = f" except {', '.join(self.excluded)}" if self.excluded else ""
        return f"every workload in {where}{but}"


End = int | External | Group


@dataclass(frozen=True, slots=True)
class Line:
    src: End
    dst: End
    conns: ConnSet


def end_label(ev: Evaluator, e: End) -> str:
    """How a line's end is written: a group, a workload ref, or an external range as policies say it."""
    if isinstance(e, Group):
        return str(e)
    if isinstance(e, External):
        return external_text(ev.space, e.atoms)
    return ev.workloads[e].ref


def _name(ev: Evaluator, w: int) -> str:
    wl = ev.workloads[w]
    return f"{wl.name}[{wl.kind}]"


class Grouper:
    """Collapses lines whose varying end runs over (nearly) every workload of a namespace."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        grouped: dict[str, set[int]] = {}
        for i, w in enumerate(ev.workloads):
            grouped.setdefault(w.namespace, set()).add(i)
        self.members = {ns: frozenset(keys) for ns, keys in grouped.items()}
        self.namespace_of = [w.namespace for w in ev.workloads]
        self.everyone = frozenset(range(len(ev.workloads)))

    def _groups(self, fixed: End, varying: set[int]) -> list[tuple[Group, frozenset[int]]]:
        """The namespace groups `varying` covers (a workload is never its own peer, so a fixed
        workload is not wanted among the varying ones)."""
        # Everyone but `fixed` is in `varying` (a subset of everyone): counted, not built per call.
        wanted = len(self.everyone) - 1 if isinstance(fixed, int) else len(self.everyone)
        if len(self.members) > 1 and len(varying) - (fixed in varying) == wanted:
            return [(Group(None), self.everyone - {fixed} if isinstance(fixed, int) else self.everyone)]
        out: list[tuple[Group, frozenset[int]]] = []
        for ns in sorted({self.namespace_of[w] for w in varying}):
            keys = self.members[ns] - {fixed} if isinstance(fixed, int) else self.members[ns]
            inside = keys & varying
            left = keys - inside
            if len(inside) < 2:
                continue
            if not left:
                out.append((Group(ns), keys))
            elif len(left) <= MAX_EXCLUDED and len(inside) > len(left):
                out.append((Group(ns, tuple(sorted(_name(self.ev, w) for w in left))), frozenset(inside)))
        return out

    def collapse(self, lines: Iterable[Line], vary_src: bool) -> list[Line]:
        by_key: dict[tuple[End, ConnSet], set[int]] = {}
        kept: list[Line] = []
        for ln in lines:
            varying, fixed = (ln.src, ln.dst) if vary_src else (ln.dst, ln.src)
            if isinstance(varying, int):
                by_key.setdefault((fixed, ln.conns), set()).add(varying)
            else:
                kept.append(ln)
        return kept + self._collapsed(((k, v) for k, v in by_key.items()), vary_src)

    def collapse_rows(self, rows: Iterable[Connection], vary_src: bool) -> list[Line]:
        """`collapse` of one line per row, without holding the rows: the varying workloads of each
        (fixed end, connections) are kept as 4-byte indices, not as pairs (1,000 open pods: 0.9 GB
        of rows and lines before)."""
        by_key: dict[tuple[End, ConnSet], array[int]] = {}
        kept: list[Line] = []
        for c in rows:
            varying, fixed = (c.src, c.dst) if vary_src else (c.dst, c.src)
            if isinstance(varying, int):
                key = (fixed, c.conns)
                ends = by_key.get(key)
                if ends is None:
                    ends = by_key[key] = array("i")
                ends.append(varying)
            else:
                kept.append(Line(c.src, c.dst, c.conns))
        return kept + self._collapsed(((k, set(v)) for k, v in by_key.items()), vary_src)

    def _collapsed(self, keyed: Iterable[tuple[tuple[End, ConnSet], set[int]]], vary_src: bool) -> list[Line]:
        kept: list[Line] = []
        for (fixed, conns), ends_set in keyed:
            groups = self._groups(fixed, ends_set)
            used: set[int] = set().union(*(keys for _, keys in groups))
            ends: list[End] = [g for g, _ in groups]
            ends += sorted(ends_set - used)
            kept += [Line(e, fixed, conns) if vary_src else Line(fixed, e, conns) for e in ends]
        return kept


def group_rows(ev: Evaluator, rows: Iterable[Connection], by: str = "namespace") -> list[Line]:
    """Rows of the map as exact grouped lines: `by="namespace"` collapses whole namespaces on both
    ends; `"workload"` keeps each source and collapses its destinations; else one line per pair."""
    passes = {"namespace": (True, False, True, False), "workload": (False,)}.get(by, ())
    grouper = Grouper(ev)
    # The first pass reads the rows as they come; the later ones see its (far fewer) lines.
    lines = grouper.collapse_rows(rows, passes[0]) if passes else [Line(c.src, c.dst, c.conns) for c in rows]
    for vary_src in passes[1:]:
        lines = grouper.collapse(lines, vary_src)
    return sorted(lines, key=lambda ln: line_key(ev, ln))


def _end_key(ev: Evaluator, e: End) -> tuple[int, str, str, str, int]:
    if isinstance(e, Group):
        return (0, e.namespace or "", "", ",".join(e.excluded), 0)
    if isinstance(e, External):
        return (2, "", "", "", (e.atoms & -e.atoms).bit_length())
    w = ev.workloads[e]
    return (1, w.namespace, w.name, w.kind, 0)


def line_key(ev: Evaluator, ln: Line) -> tuple[tuple[int, str, str, str, int], ...]:
    return (_end_key(ev, ln.src), _end_key(ev, ln.dst))


def _group_members(ev: Evaluator, g: Group) -> Iterator[int]:
    return (
        i for i, w in enumerate(ev.workloads)
        if g.namespace in (None, w.namespace) and f"{w.name}[{w.kind}]" not in g.excluded
    )  # fmt: skip


def _members(ev: Evaluator, e: End) -> Iterator[MatrixEndpoint]:
    """Lazily: an example pair (`next(expand(...))`) stops at the first members (the HTML map
    explains 2,000 lines that way; listing every member of both ends each time took seconds at
    5,000 workloads)."""
    return _group_members(ev, e) if isinstance(e, Group) else iter((e,))


class PairCounter:
    """How many pairs a line stands for (`expand`'s length), without walking them: each group's
    members found once (8,370 lines at dense 5,000 each walked every workload before)."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self._members: dict[Group, frozenset[int]] = {}

    def _of(self, e: End) -> frozenset[int] | External:
        if isinstance(e, External):
            return e
        if not isinstance(e, Group):
            return frozenset((e,))
        found = self._members.get(e)
        if found is None:
            found = self._members[e] = frozenset(_group_members(self.ev, e))
        return found

    def count(self, ln: Line) -> int:
        src, dst = self._of(ln.src), self._of(ln.dst)
        n_src = 1 if isinstance(src, External) else len(src)
        n_dst = 1 if isinstance(dst, External) else len(dst)
        if isinstance(src, External) or isinstance(dst, External):
            return n_src * n_dst
        return n_src * n_dst - len(src & dst)  # a workload is never paired with itself


def expand(ev: Evaluator, ln: Line) -> Iterator[Connection]:
    """The pairs a line stands for (over the input's workloads)."""
    for s in _members(ev, ln.src):
        for d in _members(ev, ln.dst):
            if s != d or not isinstance(s, int):
                yield Connection(s, d, ln.conns)


# --- z3: "any pod in namespace a" ------------------------------------------------------------------


class Prover:
    """Proves that any pod of a namespace (not only the input's workloads) has exactly a line's
    connections to its other end; one shared solver budget, undecided means not proven."""

    def __init__(self, ev: Evaluator, timeout_ms: int = 2_000, budget_seconds: float = 10.0) -> None:
        from policylint.engine.smt import Budget, SmtEngine

        self.ev = ev
        self.engine = SmtEngine(ev.cluster, ev.assumptions, timeout_ms=timeout_ms, budget=Budget(budget_seconds))
        self.host_network = {w.namespace for w in ev.workloads if w.host_network}

    @classmethod
    def create(cls, ev: Evaluator, timeout_ms: int = 2_000, budget_seconds: float = 10.0) -> Prover | None:
        """None when the encoding cannot follow the run's assumptions."""
        try:
            return cls(ev, timeout_ms, budget_seconds)
        except NotImplementedError:
            return None

    def _specs(self, e: End) -> list[EndpointSpec] | None:
        from policylint.engine.smt import Addresses, Pods

        if isinstance(e, Group):
            if e.excluded or e.namespace is None or e.namespace in self.host_network:
                return None  # hostNetwork workloads are not pods of the claim (SEMANTICS P18)
            return [Pods(namespace=e.namespace, host_network=False)]
        if isinstance(e, External):
            nets = self.ev.space.cidrs(e.atoms)
            return None if len(nets) > MAX_CIDRS else [Addresses(ipaddress.ip_network(n)) for n in nets]
        return [e]

    def holds(self, ln: Line) -> bool:
        srcs, dsts = self._specs(ln.src), self._specs(ln.dst)
        if srcs is None or dsts is None:
            return False
        for s in srcs:
            for d in dsts:
                for conns, allowed in ((ln.conns, False), (ALL - ln.conns, True)):
                    # A flow against the claim, or no answer, and the claim is not made.
                    if conns and self.engine.find(s, d, conns, allowed=allowed) is not None:
                        return False
        return True

    def prove(self, ln: Line) -> Line:
        """The line with its whole-namespace ends said for any pod, where z3 proves it."""
        if not any(isinstance(e, Group) and not e.excluded and e.namespace for e in (ln.src, ln.dst)):
            return ln
        if self.engine.budget.remaining_ms() <= 0:
            return ln  # budget spent: the concrete line stands
        if not self.holds(ln):
            return ln
        src = replace(ln.src, any_pod=True) if isinstance(ln.src, Group) else ln.src
        dst = replace(ln.dst, any_pod=True) if isinstance(ln.dst, Group) else ln.dst
        return Line(src, dst, ln.conns)


def prove_lines(ev: Evaluator, lines: Sequence[Line], prover: Prover | None) -> list[Line]:
    return [prover.prove(ln) for ln in lines] if prover is not None else list(lines)


# --- external ranges as the policies write them ----------------------------------------------------


def _supernet(lo: int, hi: int, bits: int) -> tuple[int, int]:
    """The smallest CIDR (first, last) holding lo..hi."""
    prefix = bits - (lo ^ hi).bit_length()
    mask = ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)
    return lo & mask, (lo & mask) | ((1 << (bits - prefix)) - 1)


def _summarize(fam: int, ranges: Iterable[tuple[int, int]]) -> list[str]:
    cls = ipaddress.IPv4Address if fam == 4 else ipaddress.IPv6Address
    return [str(n) for lo, hi in ranges for n in ipaddress.summarize_address_range(cls(lo), cls(hi))]


def _family_text(fam: int, ranges: list[tuple[int, int]]) -> str:
    bits = 32 if fam == 4 else 128
    first, last = _supernet(ranges[0][0], ranges[-1][1], bits)
    holes, at = [], first
    for lo, hi in ranges:
        if lo > at:
            holes.append((at, lo - 1))
        at = hi + 1
    if at <= last:
        holes.append((at, last))
    plain = _summarize(fam, ranges)
    base = _summarize(fam, [(first, last)])
    cut = _summarize(fam, holes)
    if not holes or len(cut) < len(plain):
        return base[0] + (f" except {', '.join(cut)}" if cut else "")
    return ", ".join(plain)


def external_text(space: AddressSpace, atoms: int) -> str:
    """`0.0.0.0/0 except 10.0.0.0/8; ::/0`: per address family the smallest CIDR holding the
    range, less its holes, when that is shorter than the list of CIDRs (families split by `; `
    when one has excepts, else by `, `)."""
    per_family: dict[int, list[tuple[int, int]]] = {}
    for fam, lo, hi in space.ranges(atoms):
        per_family.setdefault(fam, []).append((lo, hi))
    parts = [_family_text(fam, r) for fam, r in sorted(per_family.items())]
    return ("; " if any(" except " in p for p in parts) else ", ").join(parts)
