"""NP702 tier-rule-unreachable: an admin-tier rule that earlier rules always decide before it.

## What it flags

A rule of a ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy that can
never match, because every connection it matches (each of its peers, on each of its ports) is
matched first by an earlier rule of the same direction: an earlier rule of the same policy, or a
rule of a policy of the same tier with a lower priority number that selects the same pod.
Whatever those earlier rules do (Accept, Deny or Pass), the tier's evaluation stops there, so
this rule is never reached. This holds for every pod that could exist, not only the input's:
containment as written is checked first, and when that cannot tell (the rule is covered only by
several rules together, or by policies whose subjects together contain its subject), the SMT
solver proves it over all pods, namespaces, addresses and ports. Policies of equal priority are
not counted as earlier (their order is undefined upstream: NP701). A check the solver cannot
decide within its budget is reported as "could not decide", never passed silently.

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

- [ClusterNetworkPolicySpec.Ingress/Egress: rules evaluated in order, first match decides](https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go)
- [ClusterNetworkPolicySpec.Priority: lower number, higher precedence](https://network-policy-api.sigs.k8s.io/reference/spec/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import SmtEngine, Undecided
from policylint.findings import Hit, Severity
from policylint.model.rule_form import Action, Combine
from policylint.queries.smt_coverage import smt_engine
from policylint.queries.tier_cover import describe
from policylint.queries.tier_reach import unreached
from policylint.rulespec import RuleContext, RuleSpec

# The kinds whose tiers this rule judges (Calico's first-match tiers have NP721).
KINDS = frozenset({"ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"})


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev: Evaluator = ctx.evaluator

    def solver() -> SmtEngine | None:
        return ctx.shared("queries.coverage.smt", lambda: smt_engine(ev, ctx.smt_timeout_ms, ctx.smt_budget_seconds))

    for tier in ctx.cluster.tiers:
        if tier.combine is not Combine.FIRST_MATCH:
            continue
        for policy in tier.policies:
            if policy.origin.kind not in KINDS:
                continue
            for rule in policy.rules:
                if rule.action is Action.LOG:
                    continue
                found = unreached(ev, solver, tier, policy, rule)
                if isinstance(found, Undecided):
                    yield Hit(rule.origin.span, f"could not decide whether {describe(rule)} is ever reached "
                              f"({found.reason}); it is not reported as unreachable")  # fmt: skip
                elif found is not None:
                    by = "; ".join(f"{describe(e)} at {e.origin.span}" for e in found.by)
                    yield Hit(rule.origin.span, f"{describe(rule)} can never match ({found.proof}): every "
                              f"connection it matches is decided first by {by}")  # fmt: skip


RULE = RuleSpec(
    id="NP702",
    name="tier-rule-unreachable",
    summary="An admin-tier rule is never reached: earlier rules in precedence order match all it matches.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    needs_smt=True,
)
