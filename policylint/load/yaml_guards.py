"""Checks on hostile YAML made before building: nesting too deep to compose, and alias bombs.

libyaml's composer recurses in C, so a deeply nested document is found from the text and
parser events before it is composed; aliases are bounded by a node budget for the builder.
"""

from __future__ import annotations

import json
import re
from typing import Protocol

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from policylint.load.yaml_build import MAX_DEPTH, Loader


class SupportsRead(Protocol):
    def read(self, size: int = -1) -> str: ...


ALIAS_ALLOWANCE = 100_000  # collections an alias may add beyond the distinct ones written
# libyaml's composer recurses in C; beyond a few ten thousand levels it overflows the stack.
# Below this bound composing is safe, and the constructor then enforces MAX_DEPTH exactly.
SAFE_COMPOSE_DEPTH = 5_000

_DOC_START = re.compile(r"^---", re.M)
# Parsers may have a nesting limit of their own (libyaml 0.2.5 in PyYAML 6.0.4 stops at 1000):
# the pre-scan must run below every such limit so the problem is always reported in our words.
_SCAN_FROM = MAX_DEPTH // 2
_LEADING = re.compile(rf"^[ \-?:]{{{_SCAN_FROM},}}", re.M)


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
    return last_deep_suspect(text) >= 0


def last_deep_suspect(text: str) -> int:
    """Where the last part of `text` that may nest deeply starts (-1: nothing may).

    A part is a line with a long indentation, or a document (from a `---` line) with many
    brackets. Computed once per file: the text from any later `---` line may nest deeply
    exactly when it starts at or before this position, so resuming after a syntax error
    does not rescan the rest of the file.
    """
    last = -1
    for match in _LEADING.finditer(text):
        last = match.start()
    limit = _SCAN_FROM
    if text.count("[") + text.count("{") < limit:
        return last
    starts = [0, *(m.start() for m in _DOC_START.finditer(text) if m.start() > 0)]
    heavy = [
        start
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True)
        if text.count("[", start, end) + text.count("{", start, end) >= limit
    ]
    if heavy and not _shallow_json(text):
        last = max(last, heavy[-1])
    return last


def _shallow_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def is_nesting_error(err: yaml.YAMLError) -> bool:
    """A parser's own nesting limit (libyaml >= 0.2.5: "exceeded maximum nesting depth")."""
    return "nesting" in str(getattr(err, "problem", "") or err)


def first_too_deep(text: str | SupportsRead) -> tuple[int, int] | None:
    """(document index, 0-based line) of the first node nested too deeply, or None.

    Too deeply is beyond MAX_DEPTH, or beyond the installed parser's own limit (libyaml's is
    the same 1000 levels, counted by its scanner ahead of the events). Uses parser events
    only: libyaml's parser keeps its own stack, only composing recurses. The scan stops at
    the first too-deep node because libyaml slows down quadratically with flow nesting depth.
    """
    depth = index = 0
    try:
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
    except yaml.MarkedYAMLError as err:
        if not is_nesting_error(err):
            raise
        mark = err.problem_mark or err.context_mark
        return index, mark.line if mark else 0
    return None
