"""NP744 cilium-empty-list-peer: a Cilium rule whose peer list is written empty, so it admits nothing.

## What it flags

An allow rule with an explicitly empty L3 list, such as `fromEndpoints: []` or `toCIDR: []`.

## Why it matters

Since Cilium 1.15 an explicitly empty list selects nothing, while an absent field is no
constraint. Authors often write `[]` meaning "any peer" (as an empty `from` means in a
NetworkPolicy); the rule then allows no traffic at all.

## Example

`fromEndpoints: []` beside `toPorts`, meant as "anyone on port 8080".

## Fix

Omit the L3 field (toPorts alone admits every peer on those ports), or write
`fromEntities: [all]`, or `fromEndpoints: [{}]` for every endpoint of the namespace.

## Options

This rule has no options.

## References

- [Layer 4 policies: ports alone](https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples)
- [Cilium 1.15 upgrade notes](https://docs.cilium.io/en/stable/operations/upgrade/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import Action
from policylint.queries.cilium import cilium_policies, rule_text
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for policy in cilium_policies(ctx.cluster):
        for rule in policy.rules:
            # peers () with ports other than () is an empty L3 list (`- {}` has no ports either).
            if rule.action is Action.ALLOW and rule.peers == () and rule.ports != ():
                yield Hit(rule.origin.span, f"{rule_text(rule)} has an empty peer list, which selects nothing "
                          "(Cilium 1.15+); omit the field to mean every peer")


RULE = RuleSpec(
    id="NP744",
    name="cilium-empty-list-peer",
    summary="A Cilium allow rule whose L3 peer list is written empty, which selects nothing.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
