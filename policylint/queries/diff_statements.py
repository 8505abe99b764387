"""A connectivity diff said in few lines: a whole namespace at once, or any pod at all.

Grouping starts concrete: when every workload of a namespace (at least two) gains, loses or changes
the same connections to or from one endpoint, one statement covers them ("every workload in
namespace shop (3)"). A `Prover` then tries the stronger, symbolic statement with z3: that the same
change holds for ANY pod of the namespace, pods the input does not have included ("any pod in
namespace shop"), and for any pod of any namespace when every workload changed alike. A symbolic
statement is made only when it is proven on both sides (on BASE every such pod had the old access,
on HEAD every one has the new); when it is false, undecided, or no solver can be used, the concrete
statement stands, and that one is exact about the workloads of the input.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.queries.diff import (
    Change,
    ConnChange,
    Diff,
    DiffEndpoint,
    ExternalRange,
    WorkloadChange,
    WorkloadKey,
    exposing,
)

MAX_CIDRS = 16  # an external range cut into more pieces than this is not worth a proof per piece
MAX_EXCLUDED = 3  # "every workload in namespace x except a, b, c": beyond that, a list is clearer
MAX_LISTED = 10  # pairs left over after exact grouping, beyond which they are counted per namespace


@dataclass(frozen=True, slots=True, order=True)
class Group:
    """The workloads of one namespace (None: of every namespace) said at once."""

    namespace: str | None
    workloads: int
    any_pod: bool  # proven for every pod there could be, not only the workloads of the input
    excluded: tuple[str, ...] = ()  # `name[Kind]` of the namespace's workloads the statement is not about
    of: int = 0  # a count without names: `workloads` of the namespace's `of` (the exact pairs are in json)

    def __str__(self) -> str:
        if self.any_pod:
            return "any pod in " + ("any namespace" if self.namespace is None else f"namespace {self.namespace}")
        where = "every namespace" if self.namespace is None else f"namespace {self.namespace}"
        if self.of:
            return f"{self.workloads} of {self.of} workloads in {where}"
        but = f" except {', '.join(self.excluded)}" if self.excluded else ""
        return f"every workload in {where}{but} ({self.workloads})"

    def covers(self, key: WorkloadKey) -> bool:
        """Is this workload one the statement is about?"""
        named = f"{key.name}[{key.kind}]"
        return self.namespace in (None, key.namespace) and named not in self.excluded


StatementEnd = DiffEndpoint | Group


@dataclass(frozen=True, slots=True)
class Statement:
    """`pairs` endpoint pairs that each gained `gained` and lost `lost` (with a Group end: every
    workload, or every pod, of the group). `kind` is the section it belongs in: ADDED or REMOVED
    when every pair was, CHANGED otherwise."""

    kind: Change
    src: StatementEnd
    dst: StatementEnd
    gained: ConnSet
    lost: ConnSet
    pairs: int

    @classmethod
    def of(cls, c: ConnChange) -> Statement:
        return cls(c.kind, c.src, c.dst, c.gained, c.lost, 1)

    def sort_key(self) -> tuple[int, int, str, str]:
        """Widest first (any pod, then whole namespaces, then with exceptions, then counts), then pairs
        between workloads, then pairs with an external range."""
        ends = (self.src, self.dst)
        width = sum(_width(e) for e in ends)
        return (-width, sum(isinstance(e, ExternalRange) for e in ends), str(self.src), str(self.dst))


def _width(e: StatementEnd) -> int:
    if not isinstance(e, Group):
        return 0
    if e.any_pod:
        return 6 if e.namespace is None else 5
    return 1 if e.of else 2 if e.excluded else 4 if e.namespace is None else 3


if TYPE_CHECKING:  # z3 is imported where a proof is asked for, not by every diff (50 ms)
    from policylint.engine.smt import EndpointSpec, SmtEngine


class Prover:
    """Proves "every pod of a namespace changed like this" on both sides; one shared solver budget."""

    def __init__(self, base: Evaluator, head: Evaluator, timeout_ms: int = 5_000, budget_seconds: float = 60.0):
        from policylint.engine.smt import Budget, SmtEngine

        budget = Budget(budget_seconds)
        self.sides: list[tuple[Evaluator, SmtEngine, dict[WorkloadKey, int]]] = []
        for ev in (head, base):  # HEAD first: a new statement usually fails there if anywhere
            engine = SmtEngine(ev.cluster, ev.assumptions, timeout_ms=timeout_ms, budget=budget)
            index = {WorkloadKey(w.namespace, w.name, w.kind): i for i, w in enumerate(ev.workloads)}
            self.sides.append((ev, engine, index))
        self.host_network = {
            key for ev, _engine, index in self.sides for key, i in index.items() if ev.workloads[i].host_network
        }

    @classmethod
    def create(
        cls, base: Evaluator, head: Evaluator, timeout_ms: int = 5_000, budget_seconds: float = 60.0
    ) -> Prover | None:
        """None when the encoding cannot follow the run's assumptions (the concrete grouping stands)."""
        try:
            return cls(base, head, timeout_ms, budget_seconds)
        except NotImplementedError:
            return None

    def holds(self, src: StatementEnd, dst: StatementEnd, gained: ConnSet, lost: ConnSet) -> bool:
        """Did every flow from `src` to `dst` (a Group end: any pod of it) gain `gained` and lose `lost`:
        gained ports denied on BASE and allowed on HEAD, lost ports the reverse?"""
        for is_head, (_ev, engine, index) in zip((True, False), self.sides, strict=True):
            if any(isinstance(end, WorkloadKey) and end not in index for end in (src, dst)):
                continue  # a workload new on HEAD (or gone there) has no flow on that side: nothing to check
            srcs, dsts = _specs(src, index), _specs(dst, index)
            if not srcs or not dsts:
                return False
            for s, d in itertools.product(srcs, dsts):
                for conns, allowed in ((gained, is_head), (lost, not is_head)):
                    # One flow against the claim (or no answer) and the claim is not made.
                    if conns and engine.find(s, d, conns, allowed=not allowed) is not None:
                        return False
        return True


def _specs(end: StatementEnd, index: dict[WorkloadKey, int]) -> list[EndpointSpec]:
    """The end as solver endpoints; [] when it is not worth a proof."""
    from policylint.engine.smt import Addresses, Pods

    if isinstance(end, Group):
        return [Pods(namespace=end.namespace, host_network=False)]
    if isinstance(end, WorkloadKey):
        return [index[end]]
    if len(end.cidrs) > MAX_CIDRS:
        return []
    return [Addresses(ipaddress.ip_network(c)) for c in end.cidrs]


GroupKey = tuple[StatementEnd, ConnSet, ConnSet]  # the fixed end, gained, lost


class Grouper:
    """Collapses statements whose varying end runs over every workload of a namespace."""

    def __init__(self, diff: Diff, prover: Prover | None) -> None:
        self.diff, self.prover = diff, prover
        self._sizes: dict[int, tuple[int, int]] = {}

    def proven(self, keys: Iterable[WorkloadKey], src: StatementEnd, dst: StatementEnd, key: GroupKey) -> bool:
        """hostNetwork workloads are not pods of the claim (SEMANTICS P18): a group with one is never proven."""
        fixed = key[0]
        if self.prover is None or set(keys) & self.prover.host_network:
            return False
        if isinstance(fixed, Group) and not fixed.any_pod:
            return False  # the fixed side holds only for its workloads; so does the whole statement
        return self.prover.holds(src, dst, key[1], key[2])

    def members(self, key: GroupKey) -> dict[str, frozenset[WorkloadKey]]:
        """Gains are said about HEAD's workloads, pure losses about BASE's."""
        return self.diff.head_namespaces if key[1] else self.diff.base_namespaces

    def sizes(self, key: GroupKey) -> tuple[int, int]:
        """(workloads, namespaces) of the side `key` is said about; computed once per side."""
        members = self.members(key)
        cached = self._sizes.get(id(members))
        if cached is None:
            cached = self._sizes[id(members)] = (sum(len(k) for k in members.values()), len(members))
        return cached

    def ends(
        self, key: GroupKey, varying: set[WorkloadKey], vary_src: bool
    ) -> list[tuple[Group, frozenset[WorkloadKey]]]:
        """The namespaces (or all of them at once) whose every workload is in `varying`, and those with
        all but a few (said with their exceptions; never proven for any pod).

        In time of the size of `varying`, not of the cluster: a new workload's peers are one group per
        peer (cubic in the number of workloads when each looked at every namespace)."""
        fixed = key[0]
        members = self.members(key)
        touched = sorted({k.namespace for k in varying if k in members.get(k.namespace, ())} - {None})
        wanted = {ns: keys - {fixed} for ns in touched if (keys := members[ns]) - {fixed}}

        def group(namespace: str | None, keys: frozenset[WorkloadKey]) -> Group:
            claim = Group(namespace, len(keys), True)
            src, dst = (claim, fixed) if vary_src else (fixed, claim)
            return Group(namespace, len(keys), self.proven(keys, src, dst, key))

        # every workload of the side but `fixed`, in more than one namespace, varies: one line
        workloads, namespaces = self.sizes(key)
        if isinstance(fixed, WorkloadKey) and fixed in members.get(fixed.namespace, ()):
            workloads -= 1
            namespaces -= members[fixed.namespace] == {fixed}
        inside = sum(len(keys & varying) for keys in wanted.values())
        if namespaces > 1 and inside == workloads:
            everyone = frozenset().union(*wanted.values())
            return [(group(None, everyone), everyone)]
        out = [(group(ns, keys), keys) for ns, keys in wanted.items() if len(keys) > 1 and keys <= varying]
        for ns, keys in wanted.items():
            inside_ns, left = keys & varying, keys - varying
            if 0 < len(left) <= MAX_EXCLUDED and len(inside_ns) > max(1, len(left)):
                excluded = tuple(sorted(f"{k.name}[{k.kind}]" for k in left))
                out.append((Group(ns, len(inside_ns), False, excluded), inside_ns))
        return out

    def counted(self, key: GroupKey, varying: set[WorkloadKey]) -> list[tuple[Group, frozenset[WorkloadKey]]]:
        """Too many pairs to list: per namespace, how many of its workloads (two or more)."""
        out = []
        members = self.members(key)
        for ns in sorted({k.namespace for k in varying if k.namespace in members}):
            keys = members[ns]
            inside = keys & varying
            if len(inside) > 1:
                out.append((Group(ns, len(inside), False, of=len(keys - {key[0]})), frozenset(inside)))
        return out

    def collapse(self, said: list[Statement], vary_src: bool) -> list[Statement]:
        """One statement per namespace whose every workload is a varying end of the same change."""
        groups: dict[GroupKey, dict[WorkloadKey, Statement]] = {}
        kept: list[Statement] = []
        for st in said:
            varying, fixed = (st.src, st.dst) if vary_src else (st.dst, st.src)
            if isinstance(varying, WorkloadKey):
                groups.setdefault((fixed, st.gained, st.lost), {})[varying] = st
            else:
                kept.append(st)
        for key, members in groups.items():
            if len(members) < 2:  # every grouping below needs two workloads
                kept += members.values()
                continue
            ends = self.ends(key, set(members), vary_src)
            rest = set(members).difference(*(keys for _, keys in ends))
            if len(rest) > MAX_LISTED:
                ends += self.counted(key, rest)
            for group, keys in ends:
                kinds = {members[k].kind for k in keys}
                kind = kinds.pop() if len(kinds) == 1 else Change.CHANGED
                src, dst = (group, key[0]) if vary_src else (key[0], group)
                kept.append(Statement(kind, src, dst, key[1], key[2], sum(members[k].pairs for k in keys)))
            used = set().union(*(keys for _, keys in ends))
            kept += [st for k, st in members.items() if k not in used]
        return kept


def statements(diff: Diff, prover: Prover | None = None) -> dict[Change, list[Statement]]:
    """Every change, whole namespaces said at once (for any pod where `prover` proves it), by section.

    Sources are grouped first, then destinations, then each again: "any pod in namespace a -> any
    pod in namespace b" is two groupings of one change."""
    grouper = Grouper(diff, prover)
    said = [Statement.of(c) for c in diff.changes]
    for vary_src in (True, False, True, False):
        said = grouper.collapse(said, vary_src)
    out: dict[Change, list[Statement]] = {kind: [] for kind in Change}
    for st in sorted(said, key=Statement.sort_key):
        out[st.kind].append(st)
    return out


def workload_statements(diff: Diff, w: WorkloadChange, prover: Prover | None = None) -> list[Statement]:
    """The connections of a workload on one side only, its peers grouped by namespace."""
    grouper = Grouper(diff, prover)
    said = [Statement.of(c) for c in w.connections]
    for vary_src in (True, False):
        said = grouper.collapse(said, vary_src)
    return sorted(said, key=Statement.sort_key)


def exposes(st: Statement) -> bool:
    """Does `st` make a workload newly reachable from another namespace or from outside the cluster?"""
    return bool(st.gained) and exposing(st.src, st.dst)
