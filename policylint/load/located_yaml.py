"""Dicts and lists that remember where in a YAML file they were written.

`LMap` and `LSeq` are plain `dict`/`list` subclasses, so jsonschema and ordinary code treat
them as JSON values; they also answer `span`, `key_span(k)`, `value_span(k)` and
`item_span(i)`. Positions are stored as bare int tuples and turned into `Span`s only on
demand: creating a frozen dataclass per node would cost more than parsing itself.
`policylint.load.yaml_build` creates them from composed YAML nodes.
"""

from __future__ import annotations

from typing import Any

from policylint.findings import Span

Pos = tuple[int, int, int, int]  # 1-based line, column, end line, end column

# Ints per key in `LMap.entries`; yaml_build writes that layout, so the stride is shared.
STRIDE = 7


def _span(file: str, pos: tuple[int, ...] | list[int], at: int = 0, size: int = 4) -> Span:
    if size == 2:
        return Span(file, pos[at], pos[at + 1])
    return Span(file, pos[at], pos[at + 1], pos[at + 2], pos[at + 3])


class LMap(dict[Any, Any]):
    """A mapping with the position of itself, each key and each value."""

    __slots__ = ("file", "pos", "entries")

    file: str
    pos: Pos
    # Flat, in written order, duplicates included: key, key line, key column, value line,
    # value column, value end line, value end column; then the next key.
    entries: list[Any]

    @property
    def span(self) -> Span:
        return _span(self.file, self.pos)

    def _entry(self, key: Any) -> int:
        entries = self.entries
        for at in range(len(entries) - STRIDE, -1, -STRIDE):  # the last one written wins
            if entries[at] == key:
                return at
        return -1

    def key_span(self, key: Any) -> Span:
        at = self._entry(key)
        return _span(self.file, self.entries, at + 1, 2) if at >= 0 else self.span

    def value_span(self, key: Any) -> Span:
        at = self._entry(key)
        return _span(self.file, self.entries, at + 3) if at >= 0 else self.span

    def written_keys(self) -> list[tuple[Any, int, int]]:
        """(key, line, column) of every key as written, duplicates included."""
        e = self.entries
        return [(e[at], e[at + 1], e[at + 2]) for at in range(0, len(e), STRIDE)]


class LSeq(list[Any]):
    """A sequence with the position of itself and of each item."""

    __slots__ = ("file", "pos", "items")

    file: str
    pos: Pos
    items: list[int]  # flat: line, column, end line, end column of each item

    @property
    def span(self) -> Span:
        return _span(self.file, self.pos)

    def item_span(self, index: int) -> Span:
        if 0 <= index < len(self.items) // 4:
            return _span(self.file, self.items, index * 4)
        return self.span


def span_of(value: Any, fallback: Span) -> Span:
    """The span of a located collection, or `fallback` for scalars (which carry none)."""
    if isinstance(value, (LMap, LSeq)):
        return value.span
    return fallback
