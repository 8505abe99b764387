"""Sets of small integers as Python ints: cheap to intersect, union and cache."""

from __future__ import annotations

from collections.abc import Iterable


def bit_indices(x: int) -> list[int]:
    """Indices of the set bits, ascending. Linear in the bit length, so dense sets stay cheap."""
    s = bin(x)[:1:-1]
    out: list[int] = []
    i = s.find("1")
    while i >= 0:
        out.append(i)
        i = s.find("1", i + 1)
    return out


def from_indices(indices: Iterable[int]) -> int:
    x = 0
    for i in indices:
        x |= 1 << i
    return x


def has(x: int, i: int) -> bool:
    return (x >> i) & 1 == 1
