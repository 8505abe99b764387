"""NP201 policy-selects-nothing: a policy whose spec.podSelector matches no workload of its namespace.

## What it flags

A NetworkPolicy whose `spec.podSelector` is not empty and matches no workload (Pod or pod
template of a Deployment, StatefulSet, DaemonSet, Job...) of the policy's namespace in the
input. When a label of that namespace is close to the one written, the message suggests it
("did you mean `app: frontend`?").

Not flagged: an empty `podSelector: {}` (it applies to every pod, including future ones, so
a namespace-wide default deny is never "selecting nothing"), and policies of a namespace
with no workload in the input (the workloads are probably kept in another repository).

A repository seldom holds the whole cluster: the pods may come from another repository, a Helm
chart, or an operator at run time. So the message says what is known, that the selector matches
no workload *of the input* and could select only pods outside it, and the severity follows the
evidence:
- **warning** when z3 proves that no pod that could exist matches (the terms contradict each
  other, e.g. `app: a` with `app NotIn [a]`), or when the input holds a near miss of the label at
  most two edits away (`app: fronend` beside `app: frontend`): the input itself then shows the
  likely mistake, and the message suggests the fix;
- **info** otherwise: the pods it names may well run outside the input (a related name is no
  typo: `app.kubernetes.io/name: prometheus` names the pods the Prometheus Operator creates, not
  the `prometheus-adapter` the input holds, and renaming it would break monitoring);
- a selector naming a value a controller writes at run time (`pod-template-hash`,
  `controller-revision-hash`, `controller-uid`, `statefulset.kubernetes.io/pod-name`...) is an
  info saying so, without a rename suggestion: the input cannot show those values.

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
- [Well-known labels: pod-template-hash, controller-revision-hash, job-name](https://kubernetes.io/docs/reference/labels-annotations-taints/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.smt import Pods
from policylint.findings import Hit, Severity
from policylint.queries.outside import TYPO_EDITS, controller_keys, engine, matchable
from policylint.queries.suggest import LabelView, did_you_mean, span_or
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    selector = policy.pod_selector
    if selector.is_empty:
        return
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    if not view.in_namespace(policy.namespace) or view.policy_pods(policy):
        return
    where = span_or(selector.span, policy.span)
    head = f"spec.podSelector {selector} of {policy.ref}"
    if matchable(engine(ctx), Pods(namespace=policy.namespace, pod_selector=selector)).proved:
        yield Hit(where, f"{head} matches no pod that could exist in namespace {policy.namespace}: "
                         "its terms contradict each other")  # fmt: skip
        return
    keys = controller_keys(selector)
    if keys:
        yield Hit(
            where,
            f"{head} names a value of {', '.join(keys)}, which a controller sets on pods at run time: "
            f"no workload of the input in namespace {policy.namespace} carries it, and the input cannot show "
            "which pods of the cluster do",
            severity=Severity.INFO,
        )
        return
    pos = view.index.namespace_pos[policy.namespace]
    hint = did_you_mean(selector, view.pod_pool(1 << pos), TYPO_EDITS)
    yield Hit(
        where,
        f"{head} matches no workload of the input in namespace {policy.namespace}, only pods outside it{hint}",
        severity=None if hint else Severity.INFO,  # a near miss of a label the input holds: likely a typo
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
