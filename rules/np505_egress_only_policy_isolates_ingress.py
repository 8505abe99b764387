"""NP505 egress-only-policy-isolates-ingress: a policy meant for egress that also cuts ingress.

## What it flags

A policy without `policyTypes` that has egress rules and no ingress rules, when it is the only
policy isolating ingress for a workload that backs a Service. Defaulting makes its policyTypes
`[Ingress, Egress]`, so that workload now admits no ingress at all. Workloads whose ingress other
policies isolate anyway are not affected by the implied `Ingress`, and are not reported.

## Why it matters

The author restricted where the pods may connect to; as a side effect, nobody can connect to
them, and their Service stops answering. This surprises users regularly (calico#1360).

## Example

An egress-only policy for the `web` pods, which back the `web` Service.

## Fix

Write `policyTypes: [Egress]`. If ingress isolation is wanted, write `[Ingress, Egress]` and the
ingress rules the Service's clients need.

## Options

This rule has no options.

## References

- [NetworkPolicySpec policyTypes defaulting](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [calico#1360](https://github.com/projectcalico/calico/issues/1360)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.findings import Hit, Severity
from policylint.model import Direction
from policylint.queries.services import member_bits
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy, ev = ctx.policy, ctx.evaluator
    if policy.policy_types_written or policy.ingress or not policy.egress:
        return
    assert isinstance(ev, Evaluator)
    positions = ctx.shared("rules.policy_positions", lambda: {id(p): i for i, p in enumerate(ctx.cluster.policies)})
    p_idx = positions[id(policy)]
    alone = [w for w in bit_indices(ev.selected[p_idx]) if ev.isolating_policies(w, Direction.INGRESS) == [p_idx]]
    for service in ctx.cluster.services if alone else ():
        hit = [w for w in alone if (member_bits(ev, service) >> w) & 1]
        if hit:
            yield Hit(
                policy.egress_span or policy.span,
                f"{policy.ref} has no policyTypes and only egress rules, so it also isolates ingress: "
                f"{ev.workloads[hit[0]].ref}, behind Service {service.ref}, now admits no ingress; "
                "add policyTypes: [Egress]",
            )
            return


RULE = RuleSpec(
    id="NP505",
    name="egress-only-policy-isolates-ingress",
    summary="A policy with only egress rules and no policyTypes also isolates ingress of pods behind a Service.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
