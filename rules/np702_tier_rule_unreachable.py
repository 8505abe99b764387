"""NP702 tier-rule-unreachable: an admin-tier rule that earlier rules always decide before it.

## What it flags

A rule of a ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy that can
never match, because every connection it matches (each of its peers, on each of its ports) is
matched first by an earlier rule of the same direction: an earlier rule of the same policy, or a
rule of a policy of the same tier with a lower priority whose subject contains this policy's
subject. Whatever those earlier rules do (Accept, Deny or Pass), the tier's evaluation stops
there, so this rule is never reached. Containment is judged from what is written (selectors
equal or wider, CIDRs inside CIDRs, port ranges inside ranges), so it holds for every pod, not
only the input's; a rule covered only by a union of peers may go unreported.

## Why it matters

Unlike NetworkPolicy, admin rules are ordered: the first match decides. A narrow Accept written
after a broad Deny (or the reverse) has no effect, which is almost always a rule in the wrong
place.

## Example

An Admin policy that denies egress to `0.0.0.0/0` and, after that, accepts egress to
`10.0.0.0/8` on port 443: the Accept is never reached.

## Fix

Move the narrower rule before the broader one (or into a policy with a lower priority), or
delete it.

## Options

This rule has no options.

## References

- [ClusterNetworkPolicySpec.Ingress/Egress: rule order](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import FormRule, Tier, TierPolicy
from policylint.queries.tier_cover import covers_piece, covers_scope, describe
from policylint.rulespec import RuleContext, RuleSpec


def _earlier_rules(tier: Tier, policy: TierPolicy, rule: FormRule) -> list[FormRule]:
    """Rules evaluated before `rule` for every subject pod of `policy`. Policies of equal
    priority are left out: their order is undefined upstream (NP701)."""
    out: list[FormRule] = []
    for other in tier.policies:
        if other is policy:
            break
        before = other.origin.priority is not None and other.order[0] < policy.order[0]
        if before and all(any(covers_scope(a, b) for a in other.subject) for b in policy.subject):
            out.extend(other.rules_for(rule.direction))
    own = policy.rules_for(rule.direction)
    return out + list(own[: own.index(rule)])


def _covering(earlier: list[FormRule], rule: FormRule) -> list[FormRule] | None:
    used: list[FormRule] = []
    for peer in rule.peers:
        for port in rule.ports if rule.ports is not None else (None,):
            found = next((e for e in earlier if covers_piece(e, peer, port)), None)
            if found is None:
                return None
            used.extend([found] if found not in used else [])
    return used


def check(ctx: RuleContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers:
        for policy in tier.policies:
            for rule in policy.rules:
                if not rule.peers:
                    continue
                used = _covering(_earlier_rules(tier, policy, rule), rule)
                if used:
                    by = "; ".join(f"{describe(e)} at {e.origin.span}" for e in used)
                    yield Hit(rule.origin.span, f"{describe(rule)} can never match: every connection it matches "
                              f"is decided first by {by}")  # fmt: skip


RULE = RuleSpec(
    id="NP702",
    name="tier-rule-unreachable",
    summary="An admin-tier rule is never reached: earlier rules in precedence order match all it matches.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
