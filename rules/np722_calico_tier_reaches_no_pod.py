"""NP722 calico-tier-reaches-no-pod: a Calico policy selects no workload in the input.

## What it flags

A Calico `NetworkPolicy` or `GlobalNetworkPolicy` whose `selector` (with its namespace, or the
`namespaceSelector` of a global policy) matches none of the workloads in the input.

## Why it matters

A tier applies to an endpoint only when some policy of the tier selects it; a policy that
selects nothing is never consulted, and a tier whose policies select nothing is skipped,
default action and all. A typo in a label (`app == 'fronend'`) silently disables the policy.

## Example

A policy selecting `app == 'fronend'` in a namespace whose workload is `app: frontend`.

## Fix

Correct the selector, or remove the policy.

## Options

This rule has no options.

## References

- [Calico tiers: a tier applies when one of its policies selects the endpoint](https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy)
- [Calico selectors](https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.queries.tiers import first_match_policies, subject_pods
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    if not ctx.cluster.workloads:
        return  # nothing to select: the input is policies only
    for tier, policy in first_match_policies(ctx.cluster.tiers):
        if not subject_pods(ctx.evaluator, policy):
            yield Hit(policy.origin.span, f"{policy.origin.kind} {policy.origin.ref} in tier {tier.name} selects "
                      "no workload in the input, so it is never consulted")  # fmt: skip


RULE = RuleSpec(
    id="NP722",
    name="calico-tier-reaches-no-pod",
    summary="A Calico policy selects no workload, so its tier never consults it.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
