"""Which namespaces a tier policy isolates as a whole, per direction (for NP307).

Read from the one rule form (model/rule_form.py), so no dialect is named here:

- In a tier where selecting an endpoint isolates it (isolation-union, union-minus-deny, and
  first-match tiers whose default action is Deny), a policy whose subject holds every pod of the
  namespace, for a direction it governs, is a default deny there, whatever it also allows.
- In a first-match tier that falls through (admin tiers), a policy needs a Deny rule, for every
  pod peer on every port, whose subject holds every pod of the namespace.

A namespace counts only when a scope covers every pod that could exist in it (an empty pod
selector), never when the input's pods happen to be covered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from policylint.engine.selectors import matches
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, Combine, FormRule, Match, PodScope, Tier
from policylint.model.workload import Namespace


def tier_default_denies(tiers: Iterable[Tier], namespace: Namespace) -> set[Direction]:
    """The directions in which some tier policy isolates every pod of `namespace`."""
    out: set[Direction] = set()
    for tier in tiers:
        isolating = tier.combine is not Combine.FIRST_MATCH or tier.default_action is Action.DENY
        for policy in tier.policies:
            if not any(_every_pod_of(s, namespace) for s in policy.subject):
                continue
            if isolating:
                out.update(policy.directions)
            else:
                out.update(d for d in Direction if any(_denies_every_pod(r) for r in policy.rules_for(d)))
    return out


def _every_pod_of(scope: PodScope, namespace: Namespace) -> bool:
    if not scope.pods.is_empty:
        return False
    if scope.namespace is not None:
        return scope.namespace == namespace.name
    return scope.namespace_selector is None or matches(scope.namespace_selector, namespace.labels)


def _denies_every_pod(rule: FormRule) -> bool:
    """A Deny for every pod peer on every port, with no condition outside the model."""
    if rule.action is not Action.DENY or rule.ports is not None or rule.not_ports or rule.unmodelled:
        return False
    return any(_every_pod(m) for m in rule.peers)


def _every_pod(m: Match) -> bool:
    rest = replace(m, pods=None, pods_only=False)
    return rest == Match() and (m.pods is None or _any_pod(m.pods))


def _any_pod(scope: PodScope) -> bool:
    return scope.pods.is_empty and scope.namespace is None and (
        scope.namespace_selector is None or scope.namespace_selector.is_empty)
