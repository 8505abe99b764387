"""NP703 admin-deny-all-networks: an Admin-tier Deny on 0.0.0.0/0 or ::/0 that also cuts pod traffic.

## What it flags

An egress rule of an Admin-tier ClusterNetworkPolicy (or an AdminNetworkPolicy) with action
Deny whose `networks` include `0.0.0.0/0` or `::/0`, when no earlier rule of the same policy
passes or accepts traffic to every pod (`namespaces: {}`) on every port.

## Why it matters

`networks` peers match pod and node addresses too: upstream says "if you Accept or Deny
traffic to `0.0.0.0/0`, that will allow or deny all IPv4 pod-to-pod traffic as well". Such a
rule, usually written to block the internet, blocks every connection of its subjects to other
pods (DNS included), before any NetworkPolicy is consulted.

## Example

`deny-internet`, Admin tier, denying egress to `0.0.0.0/0` for every namespace.

## Fix

Add a rule before it that passes pod traffic (`action: Pass`, `to: [{namespaces: {}}]`), so
NetworkPolicies keep deciding inside the cluster, or list the external ranges to deny.

## Options

This rule has no options.

## References

- [ClusterNetworkPolicyEgressPeer.Networks](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, FormRule, TierPolicy
from policylint.queries.tier_cover import describe, every_pod
from policylint.rulespec import RuleContext, RuleSpec


def _passes_every_pod(rule: FormRule) -> bool:
    return rule.action in (Action.PASS, Action.ALLOW) and rule.ports is None and any(
        m.pods is not None and every_pod(m.pods) and m.networks is None for m in rule.peers
    )


def _policy_hits(policy: TierPolicy) -> Iterator[Hit]:
    for rule in policy.rules_for(Direction.EGRESS):
        if _passes_every_pod(rule):
            return
        if rule.action is not Action.DENY:
            continue
        for m in rule.peers:
            for block in m.networks or ():
                if m.networks_match_pods and block.network is not None and block.network.prefixlen == 0:
                    yield Hit(block.span, f"{describe(rule)} denies {block.cidr}, which includes every pod "
                              "address: it cuts this policy's subjects off from other pods too (DNS included); "
                              "pass pod traffic in an earlier rule, or deny only external ranges")  # fmt: skip


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for policy in tier.policies:
            if policy.origin.tier == "Admin":
                yield from _policy_hits(policy)


RULE = RuleSpec(
    id="NP703",
    name="admin-deny-all-networks",
    summary="An Admin-tier Deny on networks 0.0.0.0/0 or ::/0 also denies pod-to-pod traffic.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
