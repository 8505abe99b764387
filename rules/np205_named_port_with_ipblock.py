"""NP205 named-port-with-ipblock: a named port on an egress rule whose peers are only ipBlocks.

## What it flags

An egress rule whose `to` peers are all `ipBlock`s and whose `ports` include a named port
(`port: https`). Named ports are resolved on the destination pod, and an ipBlock
destination is an address outside the cluster with no container ports, so the entry
matches nothing.

Ingress rules are not flagged: there the name is resolved on the pods the policy selects,
which works whatever the sources are. Under the assumption that ipBlocks also match pod
addresses (a Calico-like plugin) the rule is silent, since the name may resolve on a pod.

## Why it matters

The port entry admits no traffic at all; if it is the rule's only port, the whole rule is
dead and the egress it was meant to allow is blocked. Error: the traffic is certainly
broken.

## Example

Egress to a partner's address range on the named port `https`.

## Fix

Write the port number (`port: 443`).

## Options

This rule has no options.

## References

- [NetworkPolicyPort](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [cilium#24779: named ports and CIDR rules](https://github.com/cilium/cilium/issues/24779)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.queries.suggest import describe_rule
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    if ctx.assumptions.ipblocks_match_pods:
        return
    policy = ctx.policy
    for rule in policy.rules(Direction.EGRESS):
        if not rule.peers or any(peer.ip_block is None for peer in rule.peers):
            continue
        cidrs = ", ".join(peer.ip_block.cidr for peer in rule.peers if peer.ip_block is not None)
        for spec in rule.ports or ():
            if isinstance(spec.port, str):
                yield Hit(
                    spec.span,
                    f"named port `{spec.port}` in {describe_rule(policy, rule)} cannot match: its peers are only "
                    f"ipBlocks ({cidrs}), which have no container ports; write the port number",
                )


RULE = RuleSpec(
    id="NP205",
    name="named-port-with-ipblock",
    summary="A named port on an egress rule whose peers are only ipBlocks, where it matches nothing.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
