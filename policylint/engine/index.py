"""Selector results as bitsets over workloads and namespaces, through inverted label indexes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from policylint.engine.bitset import bit_indices
from policylint.model.selector import (
    NEGATED_STRING_OPERATORS,
    STRING_OPERATORS,
    LabelSelector,
    Operator,
    Requirement,
    string_test,
)


class LabelIndex:
    """Maps label keys and key=value pairs to the bitset of objects carrying them."""

    def __init__(self, labels: Sequence[Mapping[str, str]]) -> None:
        self.size = len(labels)
        self.universe = (1 << self.size) - 1
        self._by_pair: dict[tuple[str, str], int] = defaultdict(int)
        self._by_key: dict[str, int] = defaultdict(int)
        for i, lab in enumerate(labels):
            bit = 1 << i
            for k, v in lab.items():
                self._by_pair[(k, v)] |= bit
                self._by_key[k] |= bit
        self._cache: dict[object, int] = {}

    def _requirement(self, req: Requirement) -> int:
        if req.operator is Operator.IN or req.operator is Operator.NOT_IN:
            members = 0
            for v in req.values:
                members |= self._by_pair.get((req.key, v), 0)
            return members if req.operator is Operator.IN else self.universe & ~members
        present = self._by_key.get(req.key, 0)
        if req.operator in STRING_OPERATORS or req.operator in NEGATED_STRING_OPERATORS:
            passing = 0
            for (k, v), members in self._by_pair.items():
                if k == req.key and string_test(req.operator, req.values[0], v):
                    passing |= members
            return passing if req.operator in STRING_OPERATORS else self.universe & ~passing
        return present if req.operator is Operator.EXISTS else self.universe & ~present

    def select(self, selector: LabelSelector) -> int:
        key = selector.key()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = self.universe
        for pair in selector.match_labels:
            result &= self._by_pair.get(pair, 0)
        for req in selector.match_expressions:
            if not result:
                break
            result &= self._requirement(req)
        self._cache[key] = result
        return result


class ClusterIndex:
    """Workload and namespace bitsets for one cluster; namespace sets map to their members."""

    def __init__(
        self,
        workload_labels: Sequence[Mapping[str, str]],
        workload_namespaces: Sequence[str],
        namespace_names: Sequence[str],
        namespace_labels: Sequence[Mapping[str, str]],
        selectable: int,
    ) -> None:
        self.pods = LabelIndex(workload_labels)
        self.namespaces = LabelIndex(namespace_labels)
        self.namespace_names = list(namespace_names)
        self.namespace_pos = {n: i for i, n in enumerate(namespace_names)}
        self.members: list[int] = [0] * len(namespace_names)
        for w, ns in enumerate(workload_namespaces):
            self.members[self.namespace_pos[ns]] |= 1 << w
        self.selectable = selectable
        self._ns_members_cache: dict[int, int] = {}

    def members_of(self, namespace_bits: int) -> int:
        hit = self._ns_members_cache.get(namespace_bits)
        if hit is None:
            hit = 0
            for i in bit_indices(namespace_bits):
                hit |= self.members[i]
            self._ns_members_cache[namespace_bits] = hit
        return hit

    def in_namespace(self, namespace: str) -> int:
        pos = self.namespace_pos.get(namespace)
        return 0 if pos is None else self.members[pos]

    def pods_in(self, namespace: str, selector: LabelSelector) -> int:
        """Selectable workloads of `namespace` matching `selector`."""
        return self.pods.select(selector) & self.in_namespace(namespace) & self.selectable

    def pods_in_namespaces(self, ns_selector: LabelSelector, pod_selector: LabelSelector | None) -> int:
        pods = self.members_of(self.namespaces.select(ns_selector)) & self.selectable
        if pod_selector is not None:
            pods &= self.pods.select(pod_selector)
        return pods
