"""What a change does beyond the input's workloads (issue 12, point 12).

- Policies that changed (added, edited, removed) but select no workload of the input on either
  side: the connectivity diff cannot show their effect, so it is said in words.
- Workloads a change newly exposes to pods that could exist in other namespaces, pods the input
  does not hold: a rule opened to `namespaceSelector: {}` in a repository with one namespace
  changes no pair of the input, yet every namespace of the cluster can now connect. z3 answers it
  over both versions at once (engine/smt/compare.py); each witness is re-checked concretely.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from policylint.engine.concrete import Evaluator
from policylint.engine.selectors import matches
from policylint.findings import Span
from policylint.model import Cluster, Direction, NetworkPolicy, Protocol
from policylint.model.compile_network_policy import KIND as NETWORK_POLICY_KIND
from policylint.model.rule_form import PodScope, TierPolicy
from policylint.model.workload import Workload
from policylint.queries.diff import Diff, WorkloadKey
from policylint.queries.diff_scope import content

if TYPE_CHECKING:  # z3 is imported only when a diff asks it something (a cached query never does)
    from policylint.engine.smt import Witness

PolicyKey = tuple[str, str]  # namespace, name


K = TypeVar("K", bound=tuple[str, ...])
P = TypeVar("P")


def _changed(old: dict[K, P], new: dict[K, P]) -> Iterator[tuple[K, P | None, P | None]]:
    """Keys added, removed, or whose value means something else (locations aside), in key order."""
    for key in sorted(old.keys() | new.keys()):
        b, h = old.get(key), new.get(key)
        if b is None or h is None or content(b) != content(h):
            yield key, b, h


@dataclass(frozen=True, slots=True)
class _Change(Generic[K, P]):
    """One policy added (no base), removed (no head) or edited, by key."""

    key: K
    base: P | None
    head: P | None

    @property
    def verb(self) -> str:
        return "added" if self.base is None else "removed" if self.head is None else "changed"

    @property
    def policy(self) -> P:
        """The policy as it stands after the change (as it stood, when removed)."""
        policy = self.head or self.base
        assert policy is not None
        return policy


@dataclass(frozen=True, slots=True)
class PolicyChange(_Change[PolicyKey, NetworkPolicy]):
    @property
    def span(self) -> Span:
        return self.policy.span


def policy_changes(base: Cluster, head: Cluster) -> list[PolicyChange]:
    """NetworkPolicies added, removed or edited (locations aside), by namespace and name."""
    old = {(p.namespace, p.name): p for p in base.policies}
    new = {(p.namespace, p.name): p for p in head.policies}
    return [PolicyChange(*change) for change in _changed(old, new)]


def selects(cluster: Cluster, policy: NetworkPolicy) -> bool:
    """Does `policy` select some workload of `cluster` (on labels; hostNetwork ones included)?"""
    return any(w.namespace == policy.namespace and matches(policy.pod_selector, w.labels) for w in cluster.workloads)


def unselected(base: Cluster, head: Cluster, changes: list[PolicyChange]) -> Iterator[tuple[PolicyChange, str]]:
    """Changed policies that select no workload of the input on either side, with a line to say so."""
    for c in changes:
        if (c.base is not None and selects(base, c.base)) or (c.head is not None and selects(head, c.head)):
            continue
        ns, name = c.key
        yield c, (f"policy {ns}/{name} {c.verb} but selects no workload in the input; "
                  "its effect on pods outside the input is not in this diff")  # fmt: skip


TierPolicyKey = tuple[str, str, str, str]  # tier, kind, namespace ("" when cluster-scoped), name


@dataclass(frozen=True, slots=True)
class TierPolicyChange(_Change[TierPolicyKey, TierPolicy]):
    """A policy of another dialect (Calico, Cilium, admin) added, removed or edited."""

    @property
    def span(self) -> Span:
        return self.policy.origin.span


def tier_policy_changes(base: Cluster, head: Cluster) -> list[TierPolicyChange]:
    """Tier policies added, removed or edited (locations aside); NetworkPolicy v1 compiled into a
    tier is left to policy_changes."""
    return [TierPolicyChange(*change) for change in _changed(_tier_policies(base), _tier_policies(head))]


def _tier_policies(cluster: Cluster) -> dict[TierPolicyKey, TierPolicy]:
    compiled = {(p.namespace, p.name) for p in cluster.policies}
    return {(t.name, p.origin.kind, p.origin.namespace or "", p.origin.name): p for t in cluster.tiers
            for p in t.policies
            if not (t.holds_network_policy and p.origin.kind == NETWORK_POLICY_KIND
                    and (p.origin.namespace, p.origin.name) in compiled)}  # fmt: skip


def _in_scope(cluster: Cluster, scope: PodScope, w: Workload) -> bool:
    """Is `w` among the pods of `scope`, on labels (model/rule_form.py, PodScope)?"""
    if scope.namespace is not None and w.namespace != scope.namespace:
        return False
    if scope.namespace_selector is not None:
        ns = cluster.namespace_index.get(w.namespace)
        if not matches(scope.namespace_selector, ns.labels if ns is not None else {}):
            return False
    return matches(scope.pods, w.labels)


def tier_unselected(base: Cluster, head: Cluster, changes: list[TierPolicyChange]
                    ) -> Iterator[tuple[TierPolicyChange, str]]:  # fmt: skip
    """Changed tier policies whose subjects hold no workload of the input on either side."""
    for c in changes:
        if any(p is not None and any(_in_scope(cl, s, w) for s in p.subject for w in cl.workloads)
               for cl, p in ((base, c.base), (head, c.head))):  # fmt: skip
            continue
        tier, kind, ns, name = c.key
        yield c, (f"{kind} {ns + '/' if ns else ''}{name} ({tier} tier) {c.verb} but selects no workload in the "
                  "input; its effect on pods outside the input is not in this diff")  # fmt: skip


@dataclass(frozen=True, slots=True)
class PossibleExposure:
    """A workload that some pod that could exist in another namespace reaches on HEAD and not on BASE."""

    workload: WorkloadKey
    source: str  # the witness pod, described
    protocol: Protocol
    port: int

    def __str__(self) -> str:
        return (f"{self.workload} is newly reachable from pods of other namespaces that the input does not hold, "
                f"e.g. {self.source} on {self.protocol.value} {self.port}")  # fmt: skip


def candidates(base: Evaluator, head: Evaluator, diff: Diff, changes: list[PolicyChange]) -> list[int]:
    """HEAD workloads on both sides, not hostNetwork, not already exposed in the concrete diff, that
    a changed ingress policy selects (any workload when tiers changed or its labels did)."""
    exposed = {e.workload for e in diff.exposures()}
    base_labels = {WorkloadKey(w.namespace, w.name, w.kind): w.labels for w in base.workloads}
    tiers_changed = content(base.cluster.tiers) != content(head.cluster.tiers)
    out = []
    for i, w in enumerate(head.workloads):
        key = WorkloadKey(w.namespace, w.name, w.kind)
        if key not in base_labels or key in exposed or w.host_network:
            continue
        # Who may reach w is decided by w's ingress side: policies that change only egress (of w or
        # of its clients) are left out (a client namespace's egress opening is not looked for).
        touched = any(
            p is not None and p.isolates(Direction.INGRESS) and p.namespace == w.namespace
            and matches(p.pod_selector, w.labels)
            for c in changes for p in (c.base, c.head)
        )  # fmt: skip
        if touched or tiers_changed or base_labels[key] != w.labels:
            out.append(i)
    return out


def confirmed(base: Evaluator, head: Evaluator, witness: Witness) -> bool:
    """The witness flow, re-checked by the concrete evaluator: allowed on HEAD, denied on BASE."""
    from policylint.engine.smt import Witness
    from policylint.engine.smt.witness import concrete_verdict

    assert isinstance(witness.dst, int)
    w = head.workloads[witness.dst]
    same = (w.namespace, w.name, w.kind)
    on_base = next(i for i, b in enumerate(base.workloads) if (b.namespace, b.name, b.kind) == same)
    head_ok = concrete_verdict(head.cluster, witness, head.assumptions).allowed
    base_flow = Witness(witness.src, on_base, witness.protocol, witness.port)
    # BASE's copy of the workload carries HEAD's labels in the question: use them there too.
    relabelled = dataclasses.replace(base.workloads[on_base], labels=dict(w.labels))
    base_cluster = Cluster.of(
        base.cluster.namespaces,
        [relabelled if i == on_base else x for i, x in enumerate(base.workloads)],
        base.cluster.services, base.cluster.policies, base.cluster.tiers,
    )  # fmt: skip
    return head_ok and not concrete_verdict(base_cluster, base_flow, base.assumptions).allowed


def possible_exposures(
    base: Evaluator, head: Evaluator, diff: Diff, changes: list[PolicyChange],
    timeout_ms: int = 5_000, budget_seconds: float = 60.0,
) -> tuple[list[PossibleExposure], list[str]]:  # fmt: skip
    """Workloads newly reachable from pods that could exist in other namespaces, and what could not
    be decided (said beside the answer)."""
    todo = candidates(base, head, diff, changes)
    if not todo:
        return [], []
    from policylint.engine.smt import Budget, SyntheticPod, Undecided
    from policylint.engine.smt.compare import ChangeEngine
    from policylint.queries.outside import describe_pod

    try:
        engine = ChangeEngine(base.cluster, head.cluster, head.assumptions, timeout_ms, Budget(budget_seconds))
    except NotImplementedError as exc:
        return [], [f"new exposure to pods outside the input not checked: {exc}"]
    found, undecided = [], []
    for i in todo:
        w = head.workloads[i]
        key = WorkloadKey(w.namespace, w.name, w.kind)
        answer = engine.opened_from_elsewhere(i)
        if isinstance(answer, Undecided):
            undecided.append(f"new exposure of {key} to pods outside the input not decided: {answer.reason}")
        elif answer is not None and isinstance(answer.src, SyntheticPod) and confirmed(base, head, answer):
            found.append(PossibleExposure(key, describe_pod(answer.src), answer.protocol, answer.port))
    return found, undecided
