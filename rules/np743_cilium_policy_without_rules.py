"""NP743 cilium-policy-without-rules: a Cilium policy with no rule in any section, so no effect.

## What it flags

A `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy` (or one item of its `specs`) whose
`ingress`, `ingressDeny`, `egress` and `egressDeny` are all absent or empty lists.

## Why it matters

Cilium puts an endpoint into default deny only for a section with at least one rule
(`len(r.Ingress) > 0 || len(r.IngressDeny) > 0`), so `ingress: []` neither isolates nor allows:
the policy changes nothing, although it reads like a lockdown.

## Example

A "deny all" written with empty lists.

## Fix

Write one empty rule, `ingress: [{}]`, which selects no peer and so puts the endpoints into
default deny; or delete the policy.

## Options

This rule has no options.

## References

- [Endpoint default policy](https://docs.cilium.io/en/stable/security/policy/intro/#endpoint-default-policy)
- [pkg/policy/api/rule_validation.go Sanitize](https://github.com/cilium/cilium/blob/main/pkg/policy/api/rule_validation.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.queries.cilium import cilium_policies
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for policy in cilium_policies(ctx.cluster):
        if not policy.directions and not policy.rules:
            o = policy.origin
            where = f" {o.section}" if o.section else ""
            yield Hit(o.span, f"{o.kind} {o.ref}{where} has no rule in any section, so it has no effect; "
                      "write `ingress: [{}]` (or egress) to put its endpoints into default deny")


RULE = RuleSpec(
    id="NP743",
    name="cilium-policy-without-rules",
    summary="A Cilium policy whose sections are all absent or empty, so it has no effect.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
