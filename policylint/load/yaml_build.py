"""Compose YAML (libyaml when available) and build located values (`LMap`, `LSeq`) from the nodes.

Scalars are YAML 1.1 safe values (int, float, bool, None, str); timestamps and binary
stay strings, as they do when kubectl converts YAML to JSON. Unsafe or unknown tags, bad
scalars, nesting beyond MAX_DEPTH and alias bombs raise `LoadError`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from policylint.load.located_yaml import STRIDE, LMap, LSeq

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_RESOLVER = yaml.resolver.Resolver()


def _tag(kind: Any, value: Any, implicit: Any) -> Any:
    return _BaseLoader.resolve(_RESOLVER, kind, value, implicit)


class Loader(_BaseLoader):  # type: ignore[misc]
    """The C loader, with tag resolution memoized and the path-resolver hooks as C no-ops.

    The composer calls three Python methods for every node: `resolve` (for plain scalars a regex
    per candidate tag) and `descend_resolver`/`ascend_resolver`, which only serve YAML path
    resolvers (`add_path_resolver`), never registered here. With no path resolver, `resolve` is
    a pure function of its arguments, and manifests repeat the same keys and values thousands of
    times: a C-level LRU cache answers it, and the hooks become builtins that do nothing (a
    fifth of composing, 0.08 CPU s at 1,000 workloads).
    """

    resolve = staticmethod(functools.lru_cache(maxsize=65536)(_tag))
    descend_resolver = slice  # called as (parent, index): builds a slice, discarded
    ascend_resolver = tuple  # called with no argument: (), discarded


MAX_DEPTH = 1000  # real manifests nest < 30 levels; deeper input is hostile

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
    notes: list[tuple[int, int, str]] | None = None  # line, col, message: problems that keep the document

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
        except ValueError as err:
            if "integer string conversion" not in str(err):
                short = tag.rpartition(":")[2]
                raise LoadError(*self.start(node), f"{node.value!r} is not a valid !!{short} value") from err
            # More digits than Python converts (sys.get_int_max_str_digits(), 4,300): a problem at
            # this field only; the text is kept, so the schema and the rules see a wrong value there.
            notes = self.notes if self.notes is not None else []
            message = f"integer of {len(node.value)} characters is too long to read as a number; read as text"
            notes.append((*self.start(node), message))
            self.notes = notes
            return node.value
        except (IndexError, KeyError) as err:  # `!!int x`, `!!bool maybe`, an empty `!!float`
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
        if len(out) * STRIDE != len(flat):
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
                for at in range(0, len(entries), STRIDE):
                    key = entries[at]
                    if key not in out:
                        out[key] = merged[key]
                        out.entries.extend(entries[at : at + STRIDE])

    def note_duplicates(self, flat: list[Any]) -> None:
        first: dict[Any, int] = {}
        found = self.duplicates if self.duplicates is not None else []
        for at in range(0, len(flat), STRIDE):
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
