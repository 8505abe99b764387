"""Connection sets: per protocol, a sorted tuple of disjoint inclusive port intervals."""

from __future__ import annotations

from collections.abc import Iterable

from policylint.model.policy import PROTOCOLS, Protocol

MIN_PORT = 1
MAX_PORT = 65535
Intervals = tuple[tuple[int, int], ...]
FULL: Intervals = ((MIN_PORT, MAX_PORT),)


def merge(intervals: Iterable[tuple[int, int]]) -> Intervals:
    out: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1][1] = hi
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def intersect(a: Intervals, b: Intervals) -> Intervals:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: Intervals, b: Intervals) -> Intervals:
    out: list[tuple[int, int]] = []
    for lo, hi in a:
        cur = lo
        for blo, bhi in b:
            if bhi < cur or blo > hi:
                continue
            if blo > cur:
                out.append((cur, blo - 1))
            cur = max(cur, bhi + 1)
            if cur > hi:
                break
        if cur <= hi:
            out.append((cur, hi))
    return tuple(out)


class ConnSet:
    """An immutable, hashable set of (protocol, port) pairs."""

    __slots__ = ("_items", "_hash")

    def __init__(self, items: dict[Protocol, Intervals] | None = None) -> None:
        clean = {p: iv for p, iv in (items or {}).items() if iv}
        self._items: tuple[tuple[Protocol, Intervals], ...] = tuple(
            (p, clean[p]) for p in PROTOCOLS if p in clean
        )
        self._hash = hash(self._items)

    @staticmethod
    def all() -> ConnSet:
        return ALL

    @staticmethod
    def none() -> ConnSet:
        return NONE

    @staticmethod
    def single(protocol: Protocol, lo: int, hi: int | None = None) -> ConnSet:
        return ConnSet({protocol: ((lo, lo if hi is None else hi),)})

    def get(self, protocol: Protocol) -> Intervals:
        for p, iv in self._items:
            if p is protocol:
                return iv
        return ()

    def items(self) -> tuple[tuple[Protocol, Intervals], ...]:
        return self._items

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConnSet) and self._items == other._items

    def __hash__(self) -> int:
        return self._hash

    def __or__(self, other: ConnSet) -> ConnSet:
        if not other._items or self is ALL:
            return self
        if not self._items or other is ALL:
            return other
        return ConnSet({p: merge(self.get(p) + other.get(p)) for p in PROTOCOLS})

    def __and__(self, other: ConnSet) -> ConnSet:
        if self is ALL:
            return other
        if other is ALL:
            return self
        return ConnSet({p: intersect(self.get(p), other.get(p)) for p in PROTOCOLS})

    def __sub__(self, other: ConnSet) -> ConnSet:
        # Shortcuts for the common cases (a diff subtracts NONE from every pair of a new workload).
        if not self._items or not other._items:
            return self
        if other is ALL or (self._hash == other._hash and self._items == other._items):
            return NONE
        return ConnSet({p: subtract(self.get(p), other.get(p)) for p in PROTOCOLS})

    def contains(self, protocol: Protocol, port: int) -> bool:
        return any(lo <= port <= hi for lo, hi in self.get(protocol))

    def issubset(self, other: ConnSet) -> bool:
        return not (self - other)

    @property
    def is_all(self) -> bool:
        return self == ALL

    def to_json(self) -> dict[str, list[list[int]]]:
        return {p.value: [[lo, hi] for lo, hi in iv] for p, iv in self._items}

    def __str__(self) -> str:
        if self.is_all:
            return "All Connections"
        if not self._items:
            return "No Connections"
        parts = []
        for p, iv in self._items:
            ports = ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in iv)
            parts.append(f"{p.value} {ports}")
        return ",".join(parts)

    def __repr__(self) -> str:
        return f"ConnSet({self})"


ALL = ConnSet({p: FULL for p in PROTOCOLS})
NONE = ConnSet()
