"""Which workloads' connections a change can touch: the scope of an incremental diff.

When BASE and HEAD have the same workloads (labels, ports, host network) and the same namespaces
and labels, a pair's egress half depends only on the policies isolating its source for egress and
its ingress half only on those isolating its destination for ingress (peers select among the same
pods and namespaces on both sides; named ports resolve on the same destination). So only rows of
workloads whose egress policies changed and columns of those whose ingress policies changed can
differ; every other pair is equal on both sides without being evaluated. When the sides differ in
anything else, `scope` returns None and the diff compares everything.

With dialect tiers the same holds per side: a side is decided by the tier policies about its
workload in that direction (engine/tiers.py: selecting it and governing the direction or holding a
rule of it), in tier order, and by the NetworkPolicies isolating it. When the tiers themselves
(name, combine rule, rank, default, whether one holds NetworkPolicy) are the same on both sides,
only the workloads whose list of such policies differs are recomputed.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.findings import Span
from policylint.model.policy import Direction
from policylint.model.workload import Workload

SKIPPED_FIELDS = frozenset({"annotations"})  # where a policy or workload is written does not matter


_NAMES: dict[type, tuple[str, ...]] = {}  # per dataclass: the fields that carry meaning
_PLAIN = (str, int, float, bool, type(None), Enum)


def _meaningful(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)
                                    if f.name not in SKIPPED_FIELDS and not f.name.endswith("span"))  # fmt: skip
    return names


def content(value: Any) -> Any:
    """A hashable value equal for model objects that mean the same, wherever they were written
    (a Span anywhere, e.g. in IPBlock.except_spans, counts for nothing)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Span):
        return None
    cls = type(value)
    if dataclasses.is_dataclass(cls):
        return (cls.__name__, *(content(getattr(value, name)) for name in _meaningful(cls)))
    if isinstance(value, tuple | list):
        return tuple(content(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, content(v)) for k, v in value.items()))
    return value


@dataclass(frozen=True, slots=True)
class Scope:
    """Workload indices on each side (`head_of[b]` is BASE workload b's index on HEAD) and the BASE
    indices of workloads whose egress (rows) or ingress (columns) policies differ."""

    head_of: list[int]
    rows: list[int]
    columns: list[int]


def _keys(ev: Evaluator) -> dict[tuple[str, str, str], int] | None:
    out = {(w.namespace, w.name, w.kind): i for i, w in enumerate(ev.workloads)}
    return out if len(out) == len(ev.workloads) else None  # duplicates: compare everything


def _same_world(base: Evaluator, head: Evaluator) -> bool:
    b, h = base.cluster, head.cluster
    if base.assumptions != head.assumptions or _tier_frames(base) != _tier_frames(head):
        return False
    return [(ns.name, ns.labels) for ns in b.namespaces] == [(ns.name, ns.labels) for ns in h.namespaces]


def _tier_frames(ev: Evaluator) -> list[tuple[Any, ...]]:
    """The tiers without their policies: what every side's walk shares."""
    return [(t.name, t.combine, t.rank, t.default_action, t.holds_network_policy) for t in ev.cluster.tiers]


def _policies(ev: Evaluator, w: int, direction: Direction, memo: dict[int, Any]) -> Counter[Any]:
    out: Counter[Any] = Counter()
    for p in ev.isolating_policies(w, direction):
        key = memo.get(p)
        if key is None:
            key = memo[p] = content(ev.cluster.policies[p])
        out[key] += 1
    return out


def _tier_sides(ev: Evaluator, direction: Direction) -> list[list[Any]]:
    """Per workload, the contents of the tier policies about it in `direction`, in walk order
    (order matters in first-match tiers, so it is kept everywhere)."""
    out: list[list[Any]] = [[] for _ in ev.workloads]
    if ev.layers is None:
        return out
    for t, tier in enumerate(ev.cluster.tiers):
        for p in tier.policies:
            if direction in p.directions or any(r.direction is direction for r in p.rules):
                key = (t, content(p))
                for w in bit_indices(ev.layers.subjects(p)):
                    out[w].append(key)
    return out


def _same_workload(a: Workload, b: Workload) -> bool:
    """content(a) == content(b), quickly when nothing moved: dataclass equality (which includes the
    spans) plus the fields it leaves out that content() keeps."""
    if a == b and a.labels == b.labels and a.pods == b.pods and a.pod_ips == b.pod_ips:
        return True
    return bool(content(a) == content(b))


def scope(base: Evaluator, head: Evaluator) -> Scope | None:
    """The rows and columns to recompute, or None when the sides differ in more than policies."""
    if not _same_world(base, head):
        return None
    bk, hk = _keys(base), _keys(head)
    if bk is None or hk is None or bk.keys() != hk.keys():
        return None
    head_of = [0] * len(base.workloads)
    for key, b in bk.items():
        h = hk[key]
        if not _same_workload(base.workloads[b], head.workloads[h]):
            return None
        head_of[b] = h
    memo_b: dict[int, Any] = {}
    memo_h: dict[int, Any] = {}
    changed: dict[Direction, list[int]] = {}
    for direction in Direction:
        tiers_b, tiers_h = _tier_sides(base, direction), _tier_sides(head, direction)
        changed[direction] = [
            b for b in range(len(head_of))
            if tiers_b[b] != tiers_h[head_of[b]]
            or _policies(base, b, direction, memo_b) != _policies(head, head_of[b], direction, memo_h)
        ]  # fmt: skip
    return Scope(head_of, changed[Direction.EGRESS], changed[Direction.INGRESS])
