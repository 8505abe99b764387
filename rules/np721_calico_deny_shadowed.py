"""NP721 calico-deny-shadowed: a Calico Deny rule that an earlier Allow in the same tier always pre-empts.

## What it flags

A `Deny` rule in a Calico policy when an earlier rule of the same tier (earlier in the same
policy, or in a policy of lower `order` that selects at least the same pods) allows every
peer on every port in that direction.

## Why it matters

Calico evaluates the policies of a tier by `order` and their rules in order; the first rule
that matches decides, and `Allow` is final. A Deny after a match-everything Allow can never
fire, so the traffic it was written to block is allowed.

## Example

A policy that allows everything inbound before it denies a bad network set.

## Fix

Put the Deny first, or narrow the Allow.

## Options

This rule has no options.

## References

- [Calico NetworkPolicy: rule evaluation order](https://docs.tigera.io/calico/latest/reference/resources/networkpolicy)
- [Calico tiers](https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import Action, FormRule, Tier, TierPolicy
from policylint.queries.tiers import matches_everything, subject_pods
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for i, policy in enumerate(tier.policies):
            for rule in policy.rules:
                if rule.action is Action.DENY:
                    shadow = _shadow(ctx, tier, i, policy, rule)
                    if shadow is not None:
                        yield Hit(rule.origin.span, f"{_name(rule)} can never match: {_name(shadow)} allows every "
                                  f"peer and port before it in tier {tier.name}", (shadow.origin.span,))  # fmt: skip


def _shadow(ctx: RuleContext, tier: Tier, index: int, policy: TierPolicy, deny: FormRule) -> FormRule | None:
    own = subject_pods(ctx.evaluator, policy)
    for j, earlier in enumerate(tier.policies[: index + 1]):
        covers = j == index or (own & ~subject_pods(ctx.evaluator, earlier)) == 0
        if not covers or deny.direction not in earlier.directions:
            continue
        for rule in earlier.rules_for(deny.direction):
            if rule is deny:
                break
            if rule.action is not Action.LOG:
                if rule.action is Action.ALLOW and matches_everything(rule):
                    return rule
                if matches_everything(rule):
                    break  # Deny or Pass of everything: this policy decides nothing later
    return None


def _name(rule: FormRule) -> str:
    o = rule.origin
    return f"{o.kind} {o.ref} {o.section} rule {(o.rule_index or 0) + 1}"


RULE = RuleSpec(
    id="NP721",
    name="calico-deny-shadowed",
    summary="A Calico Deny rule comes after an Allow of the same tier that matches everything.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
