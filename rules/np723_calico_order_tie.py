"""NP723 calico-order-tie: two Calico policies of one tier have the same order.

## What it flags

Two policies in the same tier with the same `order` (or both without one), which select some
workload in common, one of them with a Deny or Pass rule (between Allow-only policies, such as
the Kubernetes NetworkPolicies Calico keeps at order 1000, the order changes no answer).

## Why it matters

Calico then evaluates them in name order, so renaming a policy changes which of them decides.
An explicit order says what the author meant.

## Example

Two policies at `order: 100` in the default tier that both select `app == 'web'`.

## Fix

Give each policy its own `order`.

## Options

This rule has no options.

## References

- [Calico NetworkPolicy `order`: policies with the same order are applied by name](https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#spec)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import Action, Combine, TierPolicy
from policylint.queries.tiers import subject_pods
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        if tier.combine is not Combine.FIRST_MATCH:
            continue  # in a union tier (Cilium) the order of policies decides nothing
        seen: dict[float, list[int]] = {}
        for i, policy in enumerate(tier.policies):
            if policy.origin.kind in ("NetworkPolicy", "GlobalNetworkPolicy") and policy.origin.tier:
                seen.setdefault(policy.order[0], []).append(i)
        for order, members in seen.items():
            yield from _ties(ctx, tier.policies, members, order, tier.name)


def _ties(ctx: RuleContext, policies: tuple[TierPolicy, ...], members: list[int], order: float,
          tier: str) -> Iterator[Hit]:  # fmt: skip
    for a, i in enumerate(members):
        for j in members[a + 1 :]:
            first, second = policies[i], policies[j]
            if not (_decisive(first) or _decisive(second)):
                continue  # Allow-only policies (Kubernetes NetworkPolicies at order 1000): any order, same answer
            if subject_pods(ctx.evaluator, first) & subject_pods(ctx.evaluator, second):
                shown = "no order" if order == float("inf") else f"order {order:g}"
                yield Hit(second.origin.span, f"{second.origin.ref} and {first.origin.ref} in tier {tier} both have "
                          f"{shown}; Calico evaluates them by name, {first.origin.ref} first",
                          (first.origin.span,))  # fmt: skip
                break


def _decisive(policy: TierPolicy) -> bool:
    """A Deny or Pass rule: the order against another policy can change the answer."""
    return any(r.action in (Action.DENY, Action.PASS) for r in policy.rules)


RULE = RuleSpec(
    id="NP723",
    name="calico-order-tie",
    summary="Two Calico policies in one tier share an order, so their names decide which applies first.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
