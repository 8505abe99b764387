"""Is a rule of a first-match tier ever reached? (NP702)

In a first-match tier (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) the
rules that may decide before rule R, for a pod R's policy selects, are the earlier rules of R's own
policy and every rule of a policy of the same tier with a strictly lower priority number that
selects that pod. R is never reached when, for every pod that could exist, every connection R
matches is matched by one of them (Accept, Deny and Pass all end the tier's walk; Log does not).

Three steps, cheapest first; each decides or hands on:
1. structural: each (peer, port) piece of R is contained, as written, in one earlier rule whose
   policy's subject contains R's subject (a yes holds for every pod);
2. the input: one subject workload and one peer of the input that R matches on a port no earlier
   rule matches (a witness, so "reached");
3. SMT over every pod, namespace, address and port (engine/smt: `tier_rule_reached`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from policylint.engine.bitset import bit_indices, has
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.form_index import CompiledForm, FormIndex
from policylint.engine.smt import SmtEngine, Undecided
from policylint.model.policy import Direction
from policylint.model.rule_form import Action, FormRule, Tier, TierPolicy
from policylint.queries.tier_cover import covers_piece, covers_scope

TierRule = tuple[TierPolicy, FormRule]
INPUT_PAIRS = 2_000  # (subject, peer) pairs of the input tried before asking the solver


@dataclass(frozen=True)
class Unreached:
    """R is never reached: `by` are the earlier rules that match first (for the message);
    `proof` says how it was shown ("as written" or "for every pod that could exist")."""

    by: tuple[FormRule, ...]
    proof: str


def precedes(tier: Tier, policy: TierPolicy, rule: FormRule) -> list[TierRule]:
    """Rules evaluated before `rule` for some subject pod of `policy` that end the tier's walk when
    they match. Equal priorities are left out: their order is undefined upstream (NP701).
    Rules with conditions outside the model may not match, so they never count."""
    out: list[TierRule] = []
    mine = policy.origin.priority
    for other in tier.policies:
        if other is policy:
            break
        if mine is None or other.origin.priority is None or not other.order[0] < policy.order[0]:
            continue
        if rule.direction in other.directions:
            out.extend((other, r) for r in other.rules_for(rule.direction))
    own = policy.rules_for(rule.direction)
    out.extend((policy, r) for r in own[: own.index(rule)])
    return [(p, r) for p, r in out if r.action is not Action.LOG and not r.unmodelled]


def structural(policy: TierPolicy, rule: FormRule, earlier: list[TierRule]) -> tuple[FormRule, ...] | None:
    """Earlier rules that contain each (peer, port) piece of `rule` as written, or None."""
    usable = [
        r for p, r in earlier if p is policy or all(any(covers_scope(a, b) for a in p.subject) for b in policy.subject)
    ]
    used: list[FormRule] = []
    for peer in rule.peers:
        for port in rule.ports if rule.ports is not None else (None,):
            found = next((e for e in usable if covers_piece(e, peer, port)), None)
            if found is None:
                return None
            if found not in used:
                used.append(found)
    return tuple(used)


def _compiled(forms: FormIndex, policy: TierPolicy, rule: FormRule) -> CompiledForm:
    return next(c for c in forms.rules(policy) if c.rule is rule)


def input_reaches(ev: Evaluator, policy: TierPolicy, rule: FormRule, earlier: list[TierRule]) -> bool:
    """Some subject workload and peer of the input (a workload or an address range) for which
    `rule` matches a port that no earlier rule matches: a witness that `rule` is reached."""
    if ev.layers is None:
        return False
    forms = ev.layers.forms
    mine = _compiled(forms, policy, rule)
    before = [(forms.subject(p), _compiled(forms, p, r)) for p, r in earlier]
    ingress = rule.direction is Direction.INGRESS

    def rest(s: int, peer: int | None, atom: int | None) -> ConnSet:
        dst = ev.workloads[s] if ingress else (None if peer is None else ev.workloads[peer])
        conns = mine.conns_for(dst)
        for subject, c in before:
            if not conns:
                break
            if has(subject, s) and (has(c.pods, peer) if peer is not None else has(c.atoms, atom or 0)):
                conns = conns - c.conns_for(dst)
        return conns

    def pairs() -> Iterator[tuple[int, int | None, int | None]]:
        for s in bit_indices(forms.subject(policy)):
            yield from ((s, o, None) for o in bit_indices(mine.pods))
            yield from ((s, None, a) for a in bit_indices(mine.atoms))

    return any(rest(s, o, a) for s, o, a in islice(pairs(), INPUT_PAIRS))


def unreached(
    ev: Evaluator, solver: Callable[[], SmtEngine | None], tier: Tier, policy: TierPolicy, rule: FormRule
) -> Unreached | Undecided | None:
    """Unreached when `rule` is shown never reached, Undecided when the solver gave up, else None.
    `solver` builds the SMT engine, only when the first two steps cannot decide."""
    earlier = precedes(tier, policy, rule)
    if not earlier or not rule.peers:
        return None
    shown = structural(policy, rule, earlier)
    if shown:
        return Unreached(shown, "as written")
    if input_reaches(ev, policy, rule, earlier):
        return None
    engine = solver()
    if engine is None:
        return None
    answer = engine.tier_rule_reached(policy, rule, earlier)
    if answer is not None:
        return answer if isinstance(answer, Undecided) else None
    if engine.tier_rule_reached(policy, rule, []) is None:
        return None  # the rule matches nothing modelled (e.g. only domainNames): NP707 says so
    return Unreached(tuple(r for _, r in _needed(engine, policy, rule, earlier)), "for every pod that could exist")


def _needed(engine: SmtEngine, policy: TierPolicy, rule: FormRule, earlier: list[TierRule]) -> list[TierRule]:
    """The earlier rules without which `rule` would be reached (greedy, so the message names a
    small covering set rather than every rule before it); all of them past a few."""
    if len(earlier) > 12:
        return earlier
    kept = list(earlier)
    for item in list(earlier):
        trial = [k for k in kept if k is not item]
        if engine.tier_rule_reached(policy, rule, trial) is None:
            kept = trial
    return kept
