"""NP401 rule-shadowed: a rule that allows nothing the other rules do not already allow.

## What it flags

An ingress (egress) rule whose allowed set (peers x ports x protocols, for the pods its policy
selects) is contained in the union of the other rules in effect for the same pods: rules of the
same policy and of every other policy of the namespace that selects those pods. By default the
containment is proven with the SMT encoding for ALL possible pods, namespaces and addresses, not
only the workloads in the input; the finding names the covering rules. When two rules cover each
other (a duplicate), only the later one is reported.

A check the solver cannot decide within its time budget is reported by this rule too, as
"could not decide ...": it is never a silent pass. (Findings carry the id of the rule that ran the
check, so an undecided check can be suppressed or downgraded together with it.)

## Why it matters

A shadowed rule has no effect: deleting it changes nothing, and editing it (to narrow access, say)
changes nothing either, which misleads the next reader. It is often the leftover of a broader
rule added later, or a copy-paste duplicate.

## Example

The second rule allows port 80 from `app: web`, which the first rule already allows together
with 443.

## Fix

Delete the shadowed rule, or narrow the covering rule if it is the one that is too broad.

## Options

`scope: input-workloads` judges only the workloads and addresses of the input (faster, no
solver), so a rule may be reported although a future pod would make it matter.

## References

- [NetworkPolicy: rules are additive](https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import CompiledRule, Evaluator
from policylint.engine.smt import SmtEngine, Undecided
from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.queries.canonical import covers_structurally
from policylint.queries.coverage import PolicyRule, concrete_rule_coverage, rule_label, rule_list
from policylint.queries.representatives import representatives_evaluator
from policylint.queries.smt_coverage import scope_option, smt_engine
from policylint.rulespec import RuleContext, RuleSpec


class NamespaceRules:
    """The compiled rules of each namespace and direction, listed once per run (scanning every
    policy of the cluster per subject rule was quadratic in the policies)."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self._by_namespace: dict[str, list[int]] = {}
        for i, p in enumerate(ev.cluster.policies):
            self._by_namespace.setdefault(p.namespace, []).append(i)
        self._rules: dict[tuple[str, Direction], list[CompiledRule]] = {}

    def __call__(self, namespace: str, direction: Direction) -> list[CompiledRule]:
        key = (namespace, direction)
        if key not in self._rules:
            indices = self._by_namespace.get(namespace, [])
            self._rules[key] = [r for i in indices for r in self.ev.compiled_rules(i, direction)]
        return self._rules[key]


def smt_cover(
    engine: SmtEngine, subject: CompiledRule, first: list[PolicyRule], pool: list[PolicyRule]
) -> list[PolicyRule] | Undecided | None:
    """The rules proven to cover `subject` over all pods (first the concretely overlapping ones)."""
    policy, rule = subject.policy, subject.rule
    if any(covers_structurally((policy, rule), o) for o in first):
        return first  # a duplicate (or an allow-all for the same pods) among them: no solver needed
    for others in ([first] if first else []) + ([pool] if len(pool) > len(first) else []):
        answer = engine.covered(policy, rule, others)
        if answer is not True:
            if isinstance(answer, Undecided):
                return answer
            continue
        if others is pool and engine.covered(policy, rule, []) is True:
            return None  # the rule admits nothing at all: validity rules say why
        return others
    return None


def shadowed(
    ev: Evaluator, engine: SmtEngine | None, p_idx: int, subject: CompiledRule, removed: set[int],
    namespace_rules: NamespaceRules,
) -> Hit | None:
    coverage = concrete_rule_coverage(ev, p_idx, subject, frozenset(removed))
    if not coverage.covered:
        return None
    first = [(o.policy, o.rule) for o in coverage.overlapping]
    label = rule_label(subject.policy, subject.rule)
    if engine is None:
        covering: list[PolicyRule] | Undecided | None = first or None
    else:
        pool = [
            (r.policy, r.rule)
            for r in namespace_rules(subject.policy.namespace, subject.rule.direction)
            if r is not subject and id(r) not in removed
        ]
        covering = smt_cover(engine, subject, first, pool)
    if isinstance(covering, Undecided):
        return Hit(
            subject.rule.span,
            f"could not decide whether {label} is shadowed ({covering.reason}); it is not reported as shadowed",
        )
    if not covering:
        return None
    where = "for every possible pod" if engine is not None else "for the input's workloads"
    return Hit(
        subject.rule.span,
        f"{label} is shadowed {where}: everything it allows is also allowed by "
        f"{rule_list(covering)}; remove it or narrow the covering rule",
    )


def check(ctx: RuleContext) -> Iterator[Hit]:
    base: Evaluator = ctx.evaluator
    engine = (
        ctx.shared("queries.coverage.smt",
            lambda: smt_engine(base, ctx.smt_timeout_ms, ctx.smt_budget_seconds),
        ) if ctx.options["scope"] == "all-pods" else None
    )
    # Over all pods, the concrete prefilter also tries one representative pod per selector.
    ev = ctx.shared("queries.coverage.representatives", lambda: representatives_evaluator(base)) if engine else base
    pools = NamespaceRules(ev)
    for direction in Direction:
        removed: set[int] = set()  # reported rules no longer cover others: a duplicate pair fires once
        for p_idx in reversed(range(len(ctx.cluster.policies))):
            for subject in reversed(ev.compiled_rules(p_idx, direction)):
                hit = shadowed(ev, engine, p_idx, subject, removed, pools)
                if hit is not None:
                    if not hit.message.startswith("could not decide"):
                        removed.add(id(subject))
                    yield hit


RULE = RuleSpec(
    id="NP401",
    name="rule-shadowed",
    summary="A rule allows nothing beyond what the other rules for the same pods already allow.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema=scope_option("shadowing"),
    defaults={"scope": "all-pods"},
    needs_smt=True,
)
