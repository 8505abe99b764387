"""NP741 cilium-policy-rejected: a Cilium policy the agent refuses, which therefore has no effect.

## What it flags

A `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy` that the API server stores but the
Cilium agent rejects when it imports it (its `Sanitize` fails): two kinds of L3 peer in one rule
(`toEndpoints` with `toCIDR`), an entity Cilium does not know, an `except` outside its `cidr`,
`toPorts` with `icmps`, an `endPort` below its `port`, or (Cilium 1.17 and later) a rule with
none of `ingress`, `ingressDeny`, `egress`, `egressDeny`. The finding is at the offending value.

## Why it matters

Cilium rejects the whole policy, not the one rule: none of its allows and none of its denies
are enforced, and `kubectl get` still shows it. policylint ignores the policy in every answer,
as the agent does.

## Example

A rule that allows both a pod selector and an address block in one element.

## Fix

Split the peers into separate rules: one with `toEndpoints`, one with `toCIDR`.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [Cilium rule validation (pkg/policy/api/rule_validation.go)](https://github.com/cilium/cilium/blob/main/pkg/policy/api/rule_validation.go)
- [Layer 3 policies](https://docs.cilium.io/en/stable/security/policy/language/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP741",
    name="cilium-policy-rejected",
    summary="A Cilium policy the agent rejects whole, so none of its rules take effect.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="input",
)
