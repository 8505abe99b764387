"""NP705 baseline-pass: a Pass rule in the Baseline tier.

## What it flags

A rule with action Pass in a ClusterNetworkPolicy of `tier: Baseline`.

## Why it matters

Pass skips the rest of the current tier and hands the decision to the next one. After the
Baseline tier there is no other tier, only the default (allow), so a Baseline Pass does what no
rule would do when no later Baseline rule matches the traffic, and acts as an Accept when one
does (it stops a later Baseline Deny). Either way the word says something it does not do;
v1alpha1 BaselineAdminNetworkPolicy did not even allow it.

## Example

A Baseline policy whose first ingress rule passes traffic from the monitoring namespace.

## Fix

Write `action: Accept` if the traffic must escape later Baseline rules, or delete the rule.

## Options

This rule has no options.

## References

- [ClusterNetworkPolicyRuleActionPass](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import Action
from policylint.queries.tier_cover import describe
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for policy in tier.policies:
            if policy.origin.tier != "Baseline":
                continue
            for rule in policy.rules:
                if rule.action is Action.PASS:
                    yield Hit(rule.origin.span, f"{describe(rule)}: Pass in the Baseline tier hands the decision to "
                              "the default allow, so it allows (like Accept) or does nothing; write Accept or "
                              "remove the rule")  # fmt: skip


RULE = RuleSpec(
    id="NP705",
    name="baseline-pass",
    summary="A Pass rule in the Baseline tier, which has no lower tier to pass to.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
