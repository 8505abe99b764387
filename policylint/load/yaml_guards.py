"""Checks on hostile YAML made before building: nesting too deep to compose, and alias bombs.

libyaml's composer recurses in C, so a deeply nested document is found from the text and
parser events before it is composed; aliases are bounded by a node budget for the builder.
"""

from __future__ import annotations

import json
import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from policylint.load.yaml_build import MAX_DEPTH, Loader

ALIAS_ALLOWANCE = 100_000  # collections an alias may add beyond the distinct ones written
# libyaml's composer recurses in C; beyond a few ten thousand levels it overflows the stack.
# Below this bound composing is safe, and the constructor then enforces MAX_DEPTH exactly.
SAFE_COMPOSE_DEPTH = 5_000

_DOC_START = re.compile(r"^---", re.M)
_LEADING = re.compile(rf"^[ \-?:]{{{SAFE_COMPOSE_DEPTH // 2},}}", re.M)


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
