"""Concrete rule coverage, as the redundancy rules ask it of the input's workloads and the
external address atoms: is a rule's allowed set covered by other rules, and which rules overlap
it. Also how rules are named in messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import CompiledRule, Evaluator
from policylint.engine.connset import ConnSet
from policylint.model import Direction, NetworkPolicy, Rule

PolicyRule = tuple[NetworkPolicy, Rule]
Pieces = list[tuple[int, ConnSet]]


def leftover(bits: int, need: ConnSet, pieces: Iterable[tuple[int, ConnSet]]) -> bool:
    """Is some member of `bits` still owed part of `need` after every (members, conns) piece?"""
    regions: dict[ConnSet, int] = {need: bits} if bits and need else {}
    for members, conns in pieces:
        if not regions:
            break
        if not members or not conns:
            continue
        nxt: dict[ConnSet, int] = {}
        for owed, owing in regions.items():
            inside, outside = owing & members, owing & ~members
            if outside:
                nxt[owed] = nxt.get(owed, 0) | outside
            rest = owed - conns if inside else None
            if rest:
                nxt[rest] = nxt.get(rest, 0) | inside
        regions = nxt
    return bool(regions)


def _named(rules: Iterable[CompiledRule]) -> bool:
    return any(r.ports.named for r in rules)


def side_uncovered(ev: Evaluator, subject: CompiledRule, others: Sequence[CompiledRule], target: int) -> bool:
    """Does `subject` admit, for workload `target`, a peer/port that no rule in `others` admits?
    Traffic of a workload to itself is always allowed, so it never counts."""
    direction = subject.rule.direction
    pods = subject.pods & ~(1 << target)
    if direction is Direction.INGRESS:
        dst = ev.workloads[target]
        need = subject.ports.for_destination(dst)
        pieces = [(o.pods, o.ports.for_destination(dst)) for o in others]
        atoms = [(o.atoms, o.ports.for_destination(dst)) for o in others]
        return leftover(pods, need, pieces) or leftover(subject.atoms, need, atoms)
    atoms = [(o.atoms, o.ports.numeric) for o in others]
    if leftover(subject.atoms, subject.ports.numeric, atoms):
        return True
    if not _named([subject, *others]):
        return leftover(pods, subject.ports.numeric, [(o.pods, o.ports.numeric) for o in others])
    for p in bit_indices(pods):
        w = ev.workloads[p]
        if leftover(1 << p, subject.ports.for_destination(w), [(o.pods, o.ports.for_destination(w)) for o in others]):
            return True
    return False


def overlaps(ev: Evaluator, subject: CompiledRule, other: CompiledRule, target: int) -> bool:
    """Do the two rules admit a common peer and port for `target` (a peer-level approximation)?"""
    dst = ev.workloads[target] if subject.rule.direction is Direction.INGRESS else None
    common = subject.ports.for_destination(dst) & other.ports.for_destination(dst)
    named = subject.ports.named or other.ports.named
    return bool((subject.pods & other.pods) or (subject.atoms & other.atoms)) and bool(common or named)


def target_groups(ev: Evaluator, policy_index: int, direction: Direction) -> dict[tuple[object, ...], int]:
    """The workloads a policy selects, grouped by the policies isolating them (one representative
    each, unless ingress named ports make the workloads' own ports matter)."""
    groups: dict[tuple[object, ...], int] = {}
    for w in bit_indices(ev.selected[policy_index]):
        key: tuple[object, ...] = tuple(ev.isolating_policies(w, direction))
        if direction is Direction.INGRESS:
            key += tuple((p.name, p.port, p.protocol) for p in ev.workloads[w].ports if p.name)
        groups.setdefault(key, w)
    return groups


@dataclass(frozen=True, slots=True)
class ConcreteCoverage:
    covered: bool
    overlapping: tuple[CompiledRule, ...]  # the other rules that share peers and ports with it


def concrete_rule_coverage(
    ev: Evaluator, policy_index: int, subject: CompiledRule, excluded: frozenset[int] = frozenset()
) -> ConcreteCoverage:
    """Is `subject` (a rule of policy `policy_index`) covered, for every workload the policy
    selects, by the other rules isolating that workload? `excluded` holds id()s of rules that do
    not count (e.g. rules already reported as shadowed)."""
    direction = subject.rule.direction
    overlapping: dict[int, CompiledRule] = {}
    for w in target_groups(ev, policy_index, direction).values():
        others = [r for r in ev.rules_for(w, direction) if r is not subject and id(r) not in excluded]
        if side_uncovered(ev, subject, others, w):
            return ConcreteCoverage(False, ())
        overlapping.update((id(o), o) for o in others if overlaps(ev, subject, o, w))
    return ConcreteCoverage(True, tuple(overlapping.values()))


def admits_anything(ev: Evaluator, policy_index: int, subject: CompiledRule) -> bool:
    """Does the rule admit any peer and port for some workload its policy selects (self aside)?"""
    return any(side_uncovered(ev, subject, [], w) for w in bit_indices(ev.selected[policy_index]))


def rule_label(policy: NetworkPolicy, rule: Rule) -> str:
    return f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"


def rule_list(pairs: Sequence[PolicyRule], limit: int = 4) -> str:
    names = [rule_label(p, r) for p, r in pairs]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
