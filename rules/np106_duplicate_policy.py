"""NP106 duplicate-policy: the same NetworkPolicy namespace/name defined twice in the input.

## What it flags

Two NetworkPolicy objects with the same namespace and name among all the analysed inputs.
The finding is on every definition after the first and points back to the first.

## Why it matters

A namespace holds one object per name: `kubectl apply` of both keeps only the last one
applied, which depends on file order. policylint analyses every definition, so its view of
the cluster is a union the cluster will never have. This usually means a copied file
whose `metadata.name` was not changed, or a policy rendered by two charts.

## Example

Two files each defining `shop/default-deny` with different rules.

## Fix

Rename one of them, or delete the stale copy.

## Options

This rule has no options.

## References

- [Object names and IDs](https://kubernetes.io/docs/concepts/overview/working-with-objects/names/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import NetworkPolicy
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    first: dict[tuple[str, str], NetworkPolicy] = {}
    for policy in ctx.cluster.policies:
        key = (policy.namespace, policy.name)
        if key not in first:
            first[key] = policy
            continue
        original = first[key].span
        yield Hit(
            policy.span,
            f"NetworkPolicy {policy.ref} is already defined at {original}; only one of them can exist",
            (original,),
        )


RULE = RuleSpec(
    id="NP106",
    name="duplicate-policy",
    summary="The same NetworkPolicy namespace/name is defined more than once.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
