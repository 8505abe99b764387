"""NP403 policy-redundant: a policy whose removal would change no connectivity.

## What it flags

A NetworkPolicy such that deleting it changes no allowed connection, isolation included: every
pod it selects stays isolated by other policies in each direction it isolates, and everything
its rules allow is allowed by those policies' rules. The check first runs concretely (the input's
workloads and the external address ranges its ipBlocks cut out), then, by default, proves it with
the SMT encoding for every possible pod of the namespace, so a default-deny that only looks
redundant for today's pods is not reported. When two policies make each other redundant, only
the later one is reported. Policies that select no workload are left to `policy-selects-nothing`;
an undecided solver check is reported as "could not decide".

## Why it matters

A redundant policy is dead weight: it suggests an intent that another policy already enforces,
and changing it has no effect, which surprises whoever edits it.

## Example

`api-again` repeats, for the same pods, what `api` already allows.

## Fix

Delete the redundant policy (or merge its intent into the policy that covers it).

## Options

`scope: input-workloads` stops after the concrete check over the input's workloads; a policy
that matters only for pods not yet deployed (such as a namespace default-deny) is then reported.

## References

- [Network Policies: isolation and additive rules](https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import SmtEngine, Undecided
from policylint.findings import Hit, Severity
from policylint.model.policy import NetworkPolicy
from policylint.queries.canonical import policy_form
from policylint.queries.coverage import side_uncovered, target_groups
from policylint.queries.representatives import representatives_evaluator
from policylint.queries.smt_coverage import in_effect, scope_option, smt_engine
from policylint.rulespec import RuleContext, RuleSpec


def concrete_cover(ev: Evaluator, p_idx: int, removed: set[int]) -> set[int] | None:
    """The policies that keep every selected workload as it is without `p_idx` (None: none do)."""
    covering: set[int] = set()
    for direction in ev.cluster.policies[p_idx].policy_types:
        for w in target_groups(ev, p_idx, direction).values():
            rest = [q for q in ev.isolating_policies(w, direction) if q != p_idx and q not in removed]
            others = [r for q in rest for r in ev.compiled_rules(q, direction)]
            if not rest or any(side_uncovered(ev, r, others, w) for r in ev.compiled_rules(p_idx, direction)):
                return None
            covering.update(rest)
    return covering


def proven(engine: SmtEngine, policy: NetworkPolicy, others: list[NetworkPolicy]) -> bool | Undecided:
    """Over all pods: each direction's selection and rules are covered by `others`."""
    form = policy_form(policy)
    if any(policy_form(o) == form for o in others):
        return True  # an identical policy (same namespace, selection, types and rules): no solver needed
    for direction in policy.policy_types:
        rest = [o for o in others if o.isolates(direction)]
        answer = engine.selection_covered(policy, rest, direction)
        pool = [pr for o in rest for pr in in_effect(o, direction)]
        for rule in policy.rules(direction):
            if answer is not True:
                break
            answer = engine.covered(policy, rule, pool)
        if answer is not True:
            return answer
    return True


def check(ctx: RuleContext) -> Iterator[Hit]:
    base: Evaluator = ctx.evaluator
    policies = ctx.cluster.policies
    engine = (
        ctx.shared("queries.coverage.smt",
            lambda: smt_engine(base, ctx.smt_timeout_ms, ctx.smt_budget_seconds),
        ) if ctx.options["scope"] == "all-pods" else None
    )
    ev = ctx.shared("queries.coverage.representatives", lambda: representatives_evaluator(base)) if engine else base
    removed: set[int] = set()
    by_namespace: dict[str, list[int]] = {}  # listed once: per candidate it was quadratic in the policies
    for i, p in enumerate(policies):
        by_namespace.setdefault(p.namespace, []).append(i)
    for p_idx in reversed(range(len(policies))):
        policy = policies[p_idx]
        covering = concrete_cover(ev, p_idx, removed) if base.selected[p_idx] else None
        if covering is None:
            continue
        answer: bool | Undecided = True
        if engine is not None:
            same_ns = [i for i in by_namespace[policy.namespace] if i != p_idx]
            for pool in (sorted(covering), [i for i in same_ns if i not in removed]):
                answer = proven(engine, policy, [policies[i] for i in pool])
                if answer is not False:
                    covering = set(pool)
                    break
        if isinstance(answer, Undecided):
            yield Hit(
                policy.span,
                f"could not decide whether {policy.ref} is redundant ({answer.reason}); "
                "it is not reported as redundant",
            )
        elif answer:
            removed.add(p_idx)
            # A same-named duplicate (NP106) is named with its place, else the message names itself.
            names = ", ".join(p.ref if p.ref != policy.ref else f"{p.ref} at {p.span}"
                              for p in (policies[i] for i in sorted(covering)[:4]))  # fmt: skip
            more = f" and {len(covering) - 4} more" if len(covering) > 4 else ""
            verb = "isolates" if len(covering) == 1 else "isolate"
            where = "for every possible pod" if engine is not None else "for the input's workloads"
            yield Hit(
                policy.span,
                f"{policy.ref} is redundant {where}: {names}{more} already {verb} the pods "
                f"it selects and allow{'s' if len(covering) == 1 else ''} everything it allows; delete it",
            )


RULE = RuleSpec(
    id="NP403",
    name="policy-redundant",
    summary="Removing the policy would change no connectivity, isolation included.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema=scope_option("redundancy"),
    defaults={"scope": "all-pods"},
    needs_smt=True,
)
