"""NP747 cilium-fqdn-without-dns-rule: `toFQDNs` without the DNS rule that lets Cilium learn the IPs.

## What it flags

A Cilium egress rule with `toFQDNs` for endpoints that no Cilium policy gives an egress rule with
DNS visibility (`toPorts` with `rules: {dns: [...]}`, usually to kube-dns on port 53).

## Why it matters

Cilium resolves `toFQDNs` names from the DNS answers its DNS proxy sees; the proxy sees only DNS
traffic that an L7 `dns` rule sends through it. Without one the allowed name set stays empty and
the connections are dropped.

## Example

An egress rule to `api.example.com` and nothing else.

## Fix

Add an egress rule to the DNS server with `rules: {dns: [{matchPattern: "*"}]}` on port 53.

## Options

This rule has no options.

## References

- [DNS based](https://docs.cilium.io/en/stable/security/policy/language/#dns-based)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.queries.cilium import cilium_policies, rule_text, subject_members
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policies = list(cilium_policies(ctx.cluster))
    dns_members: set[int] = set()
    for p in policies:
        if any(r.direction is Direction.EGRESS and any(u.startswith("L7 dns") for u in r.unmodelled)
               for r in p.rules):
            dns_members |= subject_members(ctx.cluster, p)
    for p in policies:
        members = subject_members(ctx.cluster, p)
        for rule in p.rules:
            fqdn = any(u.startswith("toFQDNs") for m in rule.peers for u in m.unresolved)
            if fqdn and rule.direction is Direction.EGRESS and members and not members <= dns_members:
                yield Hit(rule.origin.span, f"{rule_text(rule)} uses toFQDNs, but no Cilium egress rule with "
                          "`rules: {dns: ...}` covers its endpoints, so Cilium never learns the names' addresses")


RULE = RuleSpec(
    id="NP747",
    name="cilium-fqdn-without-dns-rule",
    summary="A toFQDNs rule for endpoints without the DNS visibility rule that makes it work.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
