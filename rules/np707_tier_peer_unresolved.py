"""NP707 tier-peer-unresolved: a `domainNames` or `nodes` peer the analysis cannot check.

## What it flags

Each egress peer of a ClusterNetworkPolicy or AdminNetworkPolicy given by `domainNames` or
`nodes`.

## Why it matters

A domain name is resolved by DNS when the traffic flows, and node addresses come from the
status of Node objects; neither is in the manifests. policylint treats such a peer as matching
no address it models, so answers about the traffic it targets (an allowlisted domain, the API
server on the nodes) cannot be verified, and a Deny or Pass on it may decide traffic that
policylint reports as decided by a later rule.

## Example

An Admin policy that accepts egress to `*.example.com` and to every node.

## Fix

Nothing to change if the peer is intended: this finding says what the analysis leaves out.
Where the addresses are stable, a `networks` peer can be checked.

## Options

This rule has no options.

## References

- [ClusterNetworkPolicyEgressPeer](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.queries.tier_cover import describe
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for policy in tier.policies:
            for rule in policy.rules:
                names = [name for m in rule.peers for name in m.unresolved]
                if names:
                    yield Hit(rule.origin.span, f"{describe(rule)} has peers the analysis cannot check offline: "
                              f"{'; '.join(names)}; answers about that traffic are not verified")  # fmt: skip


RULE = RuleSpec(
    id="NP707",
    name="tier-peer-unresolved",
    summary="A domainNames or nodes peer, which manifests cannot resolve.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
