"""NP721 calico-deny-shadowed: a Calico Deny rule that an earlier Allow in the same tier always pre-empts.

## What it flags

A `Deny` rule in a Calico policy that can never fire because earlier rules of the same tier
match every flow it would deny, at least one of them an `Allow`. This is proved with z3 over
every pod that could exist (any labels, any namespace), every peer and every port: the Allow
need not match everything, it only has to cover what the Deny matches. Where the SMT encoding
cannot be used (the `ipblocks_match_pods` assumption), an earlier Allow of every peer and port
(in the same policy, or in a policy of lower `order` selecting at least the same pods) is reported.

## Why it matters

Calico evaluates the policies of a tier by `order` and their rules in order; the first rule
that matches decides, and `Allow` is final. A Deny after a match-everything Allow can never
fire, so the traffic it was written to block is allowed.

## Example

A policy that allows everything inbound before it denies a bad network set.

## Fix

Put the Deny first, or narrow the Allow.

## Options

This rule has no options.

## References

- [Calico NetworkPolicy: rule evaluation order](https://docs.tigera.io/calico/latest/reference/resources/networkpolicy)
- [Calico tiers](https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.smt import SmtEngine, TierEntry, Witness
from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, Combine, FormRule, Tier, TierPolicy
from policylint.queries.smt_coverage import smt_engine
from policylint.queries.tiers import matches_everything, subject_pods
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev = ctx.evaluator
    engine: SmtEngine | None = ctx.shared("queries.coverage.smt",
                                          lambda: smt_engine(ev, ctx.smt_timeout_ms, ctx.smt_budget_seconds))
    for tier in ctx.cluster.tiers:
        if tier.combine is not Combine.FIRST_MATCH:
            continue  # in a union tier a Deny wins over every Allow, whatever their order
        for direction in Direction:
            entries = [(p, r) for p in tier.policies if direction in p.directions
                       for r in p.rules_for(direction) if r.action is not Action.LOG]  # fmt: skip
            for k, (policy, rule) in enumerate(entries):
                if rule.action is not Action.DENY or not any(r.action is Action.ALLOW for _, r in entries[:k]):
                    continue
                if engine is None:
                    shadow = _shadow(ctx, tier, tier.policies.index(policy), policy, rule)
                    reason = "allows every peer and port"
                else:
                    shadow = _proved_shadow(engine, direction, entries[:k], (policy, rule))
                    reason = "matches every flow it would deny (any pod, peer and port)"
                if shadow is not None:
                    yield Hit(rule.origin.span, f"{_name(rule)} can never match: {_name(shadow)} {reason} before it "
                              f"in tier {tier.name}", (shadow.origin.span,))  # fmt: skip


def _proved_shadow(engine: SmtEngine, direction: Direction, before: list[TierEntry],
                   deny: TierEntry) -> FormRule | None:  # fmt: skip
    """The first earlier Allow that takes part of what the Deny matches, when no flow reaches the Deny."""
    if engine.tier_entry_reached(direction, [deny], before) is not None:
        return None  # it fires for some flow (or z3 could not tell: no claim)
    for a, entry in enumerate(before):
        if entry[1].action is Action.ALLOW and isinstance(engine.tier_entry_reached(direction, [deny, entry],
                                                                                    before[:a]), Witness):
            return entry[1]
    return None  # only Deny or Pass rules take it: redundant, not shadowed by an Allow


def _shadow(ctx: RuleContext, tier: Tier, index: int, policy: TierPolicy, deny: FormRule) -> FormRule | None:
    own = subject_pods(ctx.evaluator, policy)
    for j, earlier in enumerate(tier.policies[: index + 1]):
        covers = j == index or (own & ~subject_pods(ctx.evaluator, earlier)) == 0
        if not covers or deny.direction not in earlier.directions:
            continue
        for rule in earlier.rules_for(deny.direction):
            if rule is deny:
                break
            if rule.action is not Action.LOG:
                if rule.action is Action.ALLOW and matches_everything(rule):
                    return rule
                if matches_everything(rule):
                    break  # Deny or Pass of everything: this policy decides nothing later
    return None


def _name(rule: FormRule) -> str:
    o = rule.origin
    return f"{o.kind} {o.ref} {o.section} rule {(o.rule_index or 0) + 1}"


RULE = RuleSpec(
    id="NP721",
    name="calico-deny-shadowed",
    summary="A Calico Deny rule comes after an Allow of the same tier that matches everything.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    needs_smt=True,
)
