"""NP748 cilium-deny-overrides-allow: a Cilium deny rule cancels what another policy allows.

## What it flags

An `ingressDeny` or `egressDeny` rule that matches traffic which an allow rule of another policy
(a Cilium policy, or a NetworkPolicy Cilium enforces in the same union) admits for the same
workload, on some shared port.

## Why it matters

In Cilium any matching deny wins over every allow, whatever the policy kind. The owner of the
allowing policy sees an allow that never takes effect; the finding names both sides.

## Example

A namespace-wide `egressDeny` to the database port, and a policy that allows the API to reach
the database.

## Fix

Narrow the deny (its endpointSelector, peers or ports), or remove the allow that it cancels.

## Options

This rule has no options.

## References

- [Deny policies](https://docs.cilium.io/en/stable/security/policy/language/#deny-policies)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.cluster import Cluster
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, FormRule, TierPolicy
from policylint.queries.cilium import cilium_policies, is_world, peer_members, rule_conns, rule_text, subject_members
from policylint.rulespec import RuleContext, RuleSpec


def _cancels(cluster: Cluster, deny: FormRule, allow: FormRule, shared: frozenset[int]) -> int | None:
    """A workload of `shared` for which the deny takes away some of the allow, if any."""
    pods = frozenset().union(*(peer_members(cluster, m) for m in deny.peers)) & frozenset().union(
        *(peer_members(cluster, m) for m in allow.peers))
    outside = any(is_world(m) for m in deny.peers) and any(m.external_only or is_world(m) for m in allow.peers)
    if not pods and not outside:
        return None
    for w in sorted(shared):
        dst = cluster.workloads[w] if deny.direction is Direction.INGRESS else None
        if rule_conns(deny, dst) & rule_conns(allow, dst):
            return w
    return None


def check(ctx: RuleContext) -> Iterator[Hit]:
    tiers = [t for t in ctx.cluster.tiers if any(p in t.policies for p in cilium_policies(ctx.cluster))]
    everyone: list[TierPolicy] = [p for t in tiers for p in t.policies]
    members = {id(p): subject_members(ctx.cluster, p) for p in everyone}
    for p in cilium_policies(ctx.cluster):
        for deny in (r for r in p.rules if r.action is Action.DENY):
            for q in everyone:
                shared = members[id(p)] & members[id(q)]
                if q is p or not shared:
                    continue
                for allow in (r for r in q.rules if r.action is Action.ALLOW and r.direction is deny.direction):
                    w = _cancels(ctx.cluster, deny, allow, shared)
                    if w is not None:
                        yield Hit(deny.origin.span, f"{rule_text(deny)} overrides the allow of {rule_text(allow)} "
                                  f"for {ctx.cluster.workloads[w].ref}: in Cilium a deny wins",
                                  (allow.origin.span,))
                        break


RULE = RuleSpec(
    id="NP748",
    name="cilium-deny-overrides-allow",
    summary="A Cilium deny rule cancels traffic that another policy allows.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
