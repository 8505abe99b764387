"""NP724 staged-policy-blocks-dns: enforcing a staged Calico policy would cut its pods off from DNS.

## What it flags

A `StagedNetworkPolicy` or `StagedGlobalNetworkPolicy` that governs egress, selects workloads,
and has no rule before its end that allows (or passes) UDP port 53, in a tier whose default
action is Deny and where no later policy of the tier allows UDP 53.

## Why it matters

Staged policies are previews: they never enforce. Promoting one to an enforced policy makes
its tier apply to the selected pods; egress that no rule allows then ends in the tier's Deny,
and DNS is the first thing to break.

## Example

A staged egress policy that only allows TCP 443.

## Fix

Add an egress rule allowing UDP and TCP 53 to the DNS pods before promoting the policy.

## Options

This rule has no options.

## References

- [Calico StagedNetworkPolicy](https://docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy)
- [Calico Tier defaultAction](https://docs.tigera.io/calico/latest/reference/resources/tier)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.calico_staged import is_staged
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, Tier, TierPolicy
from policylint.queries.tiers import allows_dns, subject_pods
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in (ctx.written or ctx.cluster).tiers:
        for i, policy in enumerate(tier.policies):
            if is_staged(policy) and Direction.EGRESS in policy.directions and _blocks(ctx, tier, i, policy):
                yield Hit(policy.origin.span, f"{policy.origin.kind} {policy.origin.ref} would block DNS (UDP 53) "
                          f"for the pods it selects once enforced: no rule allows it before tier {tier.name}'s "
                          "default Deny")  # fmt: skip


def _blocks(ctx: RuleContext, tier: Tier, index: int, policy: TierPolicy) -> bool:
    if tier.default_action is not Action.DENY or not subject_pods(ctx.evaluator, policy):
        return False
    if any(allows_dns(r) for r in policy.rules_for(Direction.EGRESS)):
        return False
    later = tier.policies[index + 1 :]
    return not any(allows_dns(r) for p in later if not is_staged(p) for r in p.rules_for(Direction.EGRESS))


RULE = RuleSpec(
    id="NP724",
    name="staged-policy-blocks-dns",
    summary="A staged Calico policy would block DNS egress for its pods once enforced.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
