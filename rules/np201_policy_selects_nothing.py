"""NP201 policy-selects-nothing: a policy whose spec.podSelector matches no workload of its namespace.

## What it flags

A NetworkPolicy whose `spec.podSelector` is not empty and matches no workload (Pod or pod
template of a Deployment, StatefulSet, DaemonSet, Job...) of the policy's namespace in the
input. When a label of that namespace is close to the one written, the message suggests it
("did you mean `app: frontend`?").

Not flagged: an empty `podSelector: {}` (it applies to every pod, including future ones, so
a namespace-wide default deny is never "selecting nothing"), and policies of a namespace
with no workload in the input (the workloads are probably kept in another repository).

## Why it matters

A policy that selects nothing neither isolates nor allows anything. Usually a label was
mistyped or renamed, and the pods it was written to protect are open.

## Example

`app: fronend` instead of `app: frontend`.

## Fix

Correct the selector so that it matches the workload's pod template labels.

## Options

This rule has no options.

## References

- [NetworkPolicySpec podSelector](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Labels and selectors](https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.queries.suggest import LabelView, did_you_mean, span_or
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    if policy.pod_selector.is_empty:
        return
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    if not view.in_namespace(policy.namespace) or view.policy_pods(policy):
        return
    pos = view.index.namespace_pos[policy.namespace]
    hint = did_you_mean(policy.pod_selector, view.pod_pool(1 << pos))
    yield Hit(
        span_or(policy.pod_selector.span, policy.span),
        f"spec.podSelector {policy.pod_selector} of {policy.ref} matches no workload "
        f"in namespace {policy.namespace}{hint}",
    )


RULE = RuleSpec(
    id="NP201",
    name="policy-selects-nothing",
    summary="A policy's spec.podSelector matches no workload in its namespace.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
