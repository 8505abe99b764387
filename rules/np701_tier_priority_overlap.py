"""NP701 tier-priority-overlap: two admin policies of one tier share a priority and a subject.

## What it flags

Two ClusterNetworkPolicies (or AdminNetworkPolicies) of the same tier with the same
`priority`, rules for a common direction, and subjects that overlap: some workload of the input
is selected by both, or one subject contains the other whatever the pods (for example both
select every namespace). The finding is on the policy later by name and names the other.

## Why it matters

Within a tier, policies apply by ascending priority. For equal priorities upstream says the
implementation "can apply any of the matching policies to the connection, and there is no way
for the user to reliably determine which one it will choose". policylint evaluates ties by name,
which is only one of the possible outcomes: its answers for these pods may differ from the
cluster's.

## Example

`deny-egress` and `allow-dns`, both Admin tier priority 10, both selecting every namespace.

## Fix

Give the policies distinct priorities, the one that must win lower.

## Options

This rule has no options.

## References

- [ClusterNetworkPolicySpec.Priority](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
- [AdminNetworkPolicy priority](https://network-policy-api.sigs.k8s.io/api-overview/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import Combine, TierPolicy
from policylint.queries.tier_cover import covers_scope, describe_policy, scope_members
from policylint.rulespec import RuleContext, RuleSpec


def _overlap(ctx: RuleContext, a: TierPolicy, b: TierPolicy) -> bool:
    if any(covers_scope(x, y) or covers_scope(y, x) for x in a.subject for y in b.subject):
        return True
    selectable = ctx.assumptions.host_network_selectable
    pods_a = frozenset().union(*(scope_members(ctx.cluster, s, selectable) for s in a.subject))
    return any(pods_a & scope_members(ctx.cluster, s, selectable) for s in b.subject)


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        if tier.combine is not Combine.FIRST_MATCH:
            continue  # in a union tier (Cilium) the order of policies decides nothing
        policies = [p for p in tier.policies if p.origin.priority is not None]
        for i, later in enumerate(policies):
            for earlier in policies[:i]:
                same = earlier.origin.priority == later.origin.priority
                if same and set(earlier.directions) & set(later.directions) and _overlap(ctx, earlier, later):
                    o, lo = earlier.origin, later.origin
                    yield Hit(lo.span, f"{describe_policy(lo.kind, lo.name, tier.name, lo.priority)} has the priority "
                              f"of {describe_policy(o.kind, o.name, tier.name, o.priority)} and their subjects overlap:"
                              " which applies first is undefined upstream (policylint assumes by name); "
                              "give them distinct priorities")  # fmt: skip
                    break


RULE = RuleSpec(
    id="NP701",
    name="tier-priority-overlap",
    summary="Two policies of one admin tier have the same priority and overlapping subjects.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
