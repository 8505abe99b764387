"""Facts about dialect tiers that rules share: which pods a policy selects, which rules match
everything, which policies the plugin ignores."""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import Evaluator
from policylint.model.policy import Direction, Protocol
from policylint.model.rule_form import Action, Combine, FormRule, Match, PodScope, Tier, TierPolicy
from policylint.model.selector import EVERYTHING


def scope_pods(ev: Evaluator, scope: PodScope) -> int:
    """The workloads (bitset) a PodScope names."""
    if scope.namespace is not None:
        return ev.index.pods_in(scope.namespace, scope.pods)
    return ev.index.pods_in_namespaces(scope.namespace_selector or EVERYTHING, scope.pods)


def subject_pods(ev: Evaluator, policy: TierPolicy) -> int:
    pods = 0
    for scope in policy.subject:
        pods |= scope_pods(ev, scope)
    return pods


def first_match_policies(tiers: tuple[Tier, ...]) -> Iterator[tuple[Tier, TierPolicy]]:
    for tier in tiers:
        if tier.combine is Combine.FIRST_MATCH:
            for policy in tier.policies:
                yield tier, policy


def _open(match: Match) -> bool:
    return (match.pods is None and match.not_pods is None and match.networks is None and match.not_networks is None
            and not match.external_only and not match.pods_only and not match.unresolved)  # fmt: skip


def matches_everything(rule: FormRule) -> bool:
    """The rule matches every peer on every port of every protocol (nothing unmodelled)."""
    return (rule.ports is None and not rule.not_ports and not rule.unmodelled
            and any(_open(m) for m in rule.peers))  # fmt: skip


def allows_dns(rule: FormRule, port: int = 53) -> bool:
    """An egress Allow or Pass rule that can let UDP `port` through to some peer."""
    if rule.direction is not Direction.EGRESS or rule.action not in (Action.ALLOW, Action.PASS) or not rule.peers:
        return False
    if rule.ports is None:
        return True
    return any(p.protocol is Protocol.UDP and (p.port is None or p.port == port or (
        isinstance(p.port, int) and p.end_port is not None and p.port <= port <= p.end_port))
        for p in rule.ports)  # fmt: skip
