"""NP708 domain-names-not-accept: a `domainNames` peer in a Deny or Pass rule.

## What it flags

An egress rule of a ClusterNetworkPolicy or AdminNetworkPolicy whose action is not
Accept/Allow and whose peers include `domainNames`.

## Why it matters

Upstream: "DomainNames is only supported for Accept rules. In order to control access,
DomainNames Accept rules should be used with a lower precedence egress deny". The CRD does not
reject the object, so implementations may ignore the rule or treat it differently, and the
rule denies nothing reliably: a name resolves to addresses only after the pod asked for it.

## Example

An Admin policy that denies egress to `*.example.com`.

## Fix

Accept the allowed domains, then deny the rest of egress in a later rule (or a policy of higher
priority number).

## Options

This rule has no options.

## References

- [ClusterNetworkPolicyEgressPeer.DomainNames](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import Action
from policylint.queries.tier_cover import describe
from policylint.rulespec import RuleContext, RuleSpec

DOMAIN = "domain name "  # how the builder names a domainNames peer (build_tier_peers.peer_match)


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for policy in tier.policies:
            for rule in policy.rules:
                if rule.action is Action.ALLOW:
                    continue
                if any(name.startswith(DOMAIN) for m in rule.peers for name in m.unresolved):
                    yield Hit(rule.origin.span, f"{describe(rule)} uses domainNames, which upstream supports in"
                              " Accept rules only; accept the allowed domains, deny the rest later")  # fmt: skip


RULE = RuleSpec(
    id="NP708",
    name="domain-names-not-accept",
    summary="A domainNames peer in a Deny or Pass rule, where upstream does not support it.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
