"""Compose YAML (libyaml when available) into dicts and lists that remember where they were written.

`LMap` and `LSeq` are plain `dict`/`list` subclasses, so jsonschema and ordinary code treat
them as JSON values; they also answer `span`, `key_span(k)`, `value_span(k)` and
`item_span(i)`. Positions are stored as bare int tuples and turned into `Span`s only on
demand: creating a frozen dataclass per node would cost more than parsing itself.
Scalars are YAML 1.1 safe values (int, float, bool, None, str); timestamps and binary
stay strings, as they do when kubectl converts YAML to JSON.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from policylint.findings import Span

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=65536)
def _plain_scalar_tag(value: str) -> str:
    # Resolving a plain scalar runs a regex per candidate tag in Python; manifests repeat the same
    # keys and values thousands of times, so the (pure) answer is memoized.
    tag: str = _BaseLoader.resolve(_RESOLVER, ScalarNode, value, (True, False))
    return tag


class Loader(_BaseLoader):  # type: ignore[misc]
    """The C loader with memoized implicit-tag resolution for plain scalars."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return _plain_scalar_tag(value)
        return super().resolve(kind, value, implicit)

MAX_DEPTH = 1000  # real manifests nest < 30 levels; deeper input is hostile
ALIAS_ALLOWANCE = 100_000  # collections an alias may add beyond the distinct ones written
# libyaml's composer recurses in C; beyond a few ten thousand levels it overflows the stack.
# Below this bound composing is safe, and the constructor then enforces MAX_DEPTH exactly.
SAFE_COMPOSE_DEPTH = 5_000

Pos = tuple[int, int, int, int]  # 1-based line, column, end line, end column

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_KEEP_AS_STR = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:value"}
_SCALARS: dict[str, Callable[[SafeConstructor, Any], Any]] = {
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
}
_MAP_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:set"}
_SEQ_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"}
_DOC_START = re.compile(r"^---", re.M)
_LEADING = re.compile(rf"^[ \-?:]{{{SAFE_COMPOSE_DEPTH // 2},}}", re.M)


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
        for at in range(len(entries) - _STRIDE, -1, -_STRIDE):  # the last one written wins
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
        return [(e[at], e[at + 1], e[at + 2]) for at in range(0, len(e), _STRIDE)]


_STRIDE = 7


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


class LoadError(Exception):
    """A document that cannot be turned into values (bad tag, alias bomb, nesting)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


@dataclass(slots=True)
class Builder:
    """Turns one composed document into located values. One instance per document.

    The loops are written out by hand (no per-node helper calls): this is the hot path of
    loading, and each attribute lookup shows in the benchmark.
    """

    file: str
    line_offset: int = 0
    budget: int = -1  # collections still allowed; -1 = unlimited (the text has no alias)
    duplicates: list[tuple[Any, int, int, int]] | None = None  # key, first line, again line, col

    def start(self, node: Node) -> tuple[int, int]:
        return node.start_mark.line + self.line_offset + 1, node.start_mark.column + 1

    def value(self, node: Node, depth: int) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise LoadError(*self.start(node), f"nesting deeper than {MAX_DEPTH} levels")
        if self.budget >= 0:
            self.budget -= 1
            if self.budget == 0:
                raise LoadError(*self.start(node), "aliases expand to too many nodes (alias bomb?)")
        if cls is MappingNode:
            if node.tag not in _MAP_TAGS:
                self.bad_tag(node)
            return self.mapping(node, depth + 1)
        if node.tag not in _SEQ_TAGS:
            self.bad_tag(node)
        return self.sequence(node, depth + 1)

    def scalar(self, node: Node) -> Any:
        tag = node.tag
        if tag == _STR or tag in _KEEP_AS_STR:
            return node.value
        fn = _SCALARS.get(tag)
        if fn is None:
            self.bad_tag(node)
        try:
            return fn(_CONSTRUCTOR, node)
        except (ValueError, IndexError, KeyError) as err:  # `!!int x`, `!!bool maybe`, an empty `!!float`
            short = tag.rpartition(":")[2]
            raise LoadError(*self.start(node), f"{node.value!r} is not a valid !!{short} value") from err

    def bad_tag(self, node: Node) -> NoReturn:
        line, col = self.start(node)
        if node.tag.startswith("tag:yaml.org,2002:python/"):
            raise LoadError(line, col, f"unsafe tag {node.tag!r} rejected (only plain data is read)")
        raise LoadError(line, col, f"unsupported tag {node.tag!r}")

    def mapping(self, node: Node, depth: int) -> LMap:
        out = LMap()
        out.file = self.file
        off = self.line_offset + 1
        s, e = node.start_mark, node.end_mark
        out.pos = (s.line + off, s.column + 1, e.line + off, e.column + 1)
        flat: list[Any] = []
        out.entries = flat
        add, value = flat.extend, self.value
        merges = []
        for knode, vnode in node.value:
            if knode.__class__ is ScalarNode and knode.tag == _STR:
                key = knode.value
            elif knode.tag == _MERGE:
                merges.append(vnode)
                continue
            else:
                key = _hashable(value(knode, depth))
            if vnode.__class__ is ScalarNode and vnode.tag == _STR:
                out[key] = vnode.value
            else:
                out[key] = value(vnode, depth)
            ks, vs, ve = knode.start_mark, vnode.start_mark, vnode.end_mark
            add((key, ks.line + off, ks.column + 1, vs.line + off, vs.column + 1, ve.line + off, ve.column + 1))
        if len(out) * _STRIDE != len(flat):
            self.note_duplicates(flat)
        if merges:
            self.merge(out, merges, depth)
        return out

    def merge(self, out: LMap, merges: list[Node], depth: int) -> None:
        """`<<: *base` (YAML 1.1 merge keys): keys written here win over merged ones."""
        for vnode in merges:
            sources = vnode.value if vnode.__class__ is SequenceNode else [vnode]
            for src in sources:
                merged = self.value(src, depth)
                if not isinstance(merged, LMap):
                    raise LoadError(*self.start(src), "a merge key '<<' needs a mapping")
                entries = merged.entries
                for at in range(0, len(entries), _STRIDE):
                    key = entries[at]
                    if key not in out:
                        out[key] = merged[key]
                        out.entries.extend(entries[at : at + _STRIDE])

    def note_duplicates(self, flat: list[Any]) -> None:
        first: dict[Any, int] = {}
        found = self.duplicates if self.duplicates is not None else []
        for at in range(0, len(flat), _STRIDE):
            key = flat[at]
            if key in first:
                found.append((key, first[key], flat[at + 1], flat[at + 2]))
            else:
                first[key] = flat[at + 1]
        self.duplicates = found

    def sequence(self, node: Node, depth: int) -> LSeq:
        out = LSeq()
        out.file = self.file
        off = self.line_offset + 1
        s, e = node.start_mark, node.end_mark
        out.pos = (s.line + off, s.column + 1, e.line + off, e.column + 1)
        items: list[int] = []
        out.items = items
        add, value = items.extend, self.value
        for item in node.value:
            s, e = item.start_mark, item.end_mark
            add((s.line + off, s.column + 1, e.line + off, e.column + 1))
            if item.__class__ is ScalarNode and item.tag == _STR:
                out.append(item.value)
            else:
                out.append(value(item, depth))
        return out


def _hashable(key: Any) -> Any:
    """Complex keys (`? [a, b]`) are legal YAML but never Kubernetes; keep them hashable."""
    try:
        hash(key)
    except TypeError:
        return repr(key)
    return key


_CONSTRUCTOR = SafeConstructor()


def alias_budget(root: Node) -> int:
    """The distinct collections of a document plus an allowance for what aliases add."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.__class__ is ScalarNode or id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is MappingNode:
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        else:
            stack.extend(node.value)
    return len(seen) + ALIAS_ALLOWANCE


def may_nest_deeply(text: str) -> bool:
    """A cheap, safe upper bound on nesting; True sends the text through the exact event scan.

    Each level of block nesting needs one more leading space (or `- `) on some line, and
    each level of flow nesting an opening bracket within its document. JSON that Python's
    json module reads is shallow (it stops at the interpreter's recursion limit).
    """
    if _LEADING.search(text) is not None:
        return True
    limit = SAFE_COMPOSE_DEPTH // 2
    if text.count("[") + text.count("{") < limit:
        return False
    bounds = [m.start() for m in _DOC_START.finditer(text)] + [len(text)]
    start = 0
    for end in bounds:
        if text.count("[", start, end) + text.count("{", start, end) >= limit:
            return not _shallow_json(text)
        start = end
    return False


def _shallow_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def first_too_deep(text: str) -> tuple[int, int] | None:
    """(document index, 0-based line) of the first node nested deeper than MAX_DEPTH, or None.

    Uses parser events only: libyaml's parser keeps its own stack and survives any depth,
    only composing recurses. The scan stops at the first too-deep node because libyaml
    slows down quadratically with flow nesting depth.
    """
    depth = index = 0
    for event in yaml.parse(text, Loader=Loader):
        cls = event.__class__
        if cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
            depth += 1
            if depth > MAX_DEPTH:
                return index, event.start_mark.line if event.start_mark else 0
        elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
            depth -= 1
        elif cls is yaml.DocumentEndEvent:
            index += 1
    return None
