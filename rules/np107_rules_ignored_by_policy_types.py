"""NP107 rules-ignored-by-policy-types: ingress or egress rules that policyTypes switches off.

## What it flags

A policy with an explicit `policyTypes` that lacks `Ingress` while `ingress` holds rules,
or lacks `Egress` while `egress` holds rules.

## Why it matters

The API server accepts the policy and the rules of the missing direction are ignored:
they allow nothing. The author almost certainly expected them to apply. Some network
plugins have enforced them anyway (Cilium enforced ingress rules of an Egress-only policy),
so the behaviour even differs between clusters.

## Example

`policyTypes: [Egress]` with an `ingress` section.

## Fix

Add the missing direction to `policyTypes`, or delete the rules that cannot apply.

## Options

This rule has no options.

## References

- [NetworkPolicySpec policyTypes](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [cilium#48703](https://github.com/cilium/cilium/issues/48703)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    written = policy.policy_types_written
    if not written:
        return
    types = "[" + ", ".join(d.value for d in written) + "]"
    for direction, rules, span in (
        (Direction.INGRESS, policy.ingress, policy.ingress_span),
        (Direction.EGRESS, policy.egress, policy.egress_span),
    ):
        if rules and direction not in written:
            name = direction.value.lower()
            where = span or rules[0].span
            yield Hit(
                where,
                f"{len(rules)} {name} rule(s) of {policy.ref} are ignored: policyTypes {types} "
                f"lacks {direction.value}; add it or remove the {name} rules",
            )


RULE = RuleSpec(
    id="NP107",
    name="rules-ignored-by-policy-types",
    summary="Ingress or egress rules are present while the explicit policyTypes lacks that direction.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
