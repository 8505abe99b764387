"""NP704 baseline-ingress-deny-external: a Baseline ingress Deny that cannot stop external clients.

## What it flags

An ingress rule with action Deny in the Baseline tier (a Baseline ClusterNetworkPolicy or the
BaselineAdminNetworkPolicy) whose peers include every pod (`namespaces: {}`, or `pods` with
empty selectors): a default deny.

## Why it matters

Ingress peers of these kinds are pods and namespaces only; upstream has no `networks` ingress
peer. So the rule denies traffic from the cluster's pods, while connections from outside the
cluster (load balancers, nodes, the internet) do not match it and stay allowed unless a
NetworkPolicy isolates the pod. A Baseline "deny all ingress" is not the default deny it looks
like.

## Example

`default`, a BaselineAdminNetworkPolicy denying ingress from `namespaces: {}` to every pod.

## Fix

To deny external clients, add a namespace NetworkPolicy (an ingress policy isolates the pod
against every source, external ones included), and keep the Baseline rule for pod traffic.

## Options

This rule has no options.

## References

- [ClusterNetworkPolicyIngressPeer](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.model.rule_form import Action
from policylint.queries.tier_cover import describe, every_pod
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for policy in tier.policies:
            if policy.origin.tier != "Baseline":
                continue
            for rule in policy.rules_for(Direction.INGRESS):
                if rule.action is Action.DENY and any(m.pods is not None and every_pod(m.pods) for m in rule.peers):
                    yield Hit(rule.origin.span, f"{describe(rule)} denies ingress from every pod only: ingress "
                              "peers are pods, so clients outside the cluster never match it and stay allowed; "
                              "isolate with a NetworkPolicy to deny them")  # fmt: skip


RULE = RuleSpec(
    id="NP704",
    name="baseline-ingress-deny-external",
    summary="A Baseline-tier ingress Deny from every pod does not deny clients outside the cluster.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
