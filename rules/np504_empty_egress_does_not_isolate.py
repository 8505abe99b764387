"""NP504 empty-egress-does-not-isolate: `egress: []` without policyTypes denies no egress.

## What it flags

A policy that writes `egress: []` (an empty list) and no `policyTypes` (or `policyTypes: []`).

## Why it matters

Without `policyTypes`, the API server defaults it to `[Ingress]`, adding `Egress` only when the
egress list is non-empty. The empty list therefore isolates nothing: the "deny all egress" the
author wrote allows all egress. If the policy has no ingress rules either, it denies all ingress
instead, the opposite of the intent.

## Example

A "deny all egress" written as `podSelector: {}` plus `egress: []`.

## Fix

Write `policyTypes: [Egress]` (or `[Ingress, Egress]` to deny both directions).

## Options

This rule has no options.

## References

- [NetworkPolicySpec policyTypes defaulting](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Default deny all egress traffic](https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    if policy.policy_types_written or policy.egress is None or policy.egress:
        return
    also = " and, having no ingress rules, it denies all ingress" if not policy.ingress else ""
    fix = "policyTypes: [Egress]" if not policy.ingress else "policyTypes: [Ingress, Egress]"
    yield Hit(
        policy.egress_span or policy.span,
        f"'egress: []' in {policy.ref} does not isolate egress: without policyTypes only Ingress is implied"
        f"{also}; add {fix}",
    )


RULE = RuleSpec(
    id="NP504",
    name="empty-egress-does-not-isolate",
    summary="An empty egress list without policyTypes does not isolate egress.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
