"""NP306 workload-not-isolated: a workload that no policy isolates for ingress or egress.

## What it flags

A workload (Deployment, StatefulSet, DaemonSet, Job, Pod...) that no NetworkPolicy selects
with that direction in its effective `policyTypes`, so all traffic in that direction is
allowed. One finding per workload, at the workload, naming the open directions.

To avoid one finding per workload of a namespace that has no policy at all, a direction
is only reported for workloads whose namespace isolates at least one other workload in that
direction (the forgotten workload of a protected namespace); NP307 reports unprotected
namespaces once. Set `only_protected_namespaces: false` to report every workload.
hostNetwork workloads are skipped unless assumed selectable (see NP208). Severity: info.

## Why it matters

In a namespace where most workloads are locked down, the one that is not is the gap:
typically a new Deployment whose labels none of the policies selects.

## Example

A namespace whose policy protects `app: api` while `worker` has no policy.

## Fix

Select the workload from a policy (or add a namespace-wide default deny, `podSelector: {}`).

## Options

`directions` chooses which directions are checked.

## References

- [The two sorts of pod isolation](https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation)
- [Default policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev = ctx.evaluator
    directions = [Direction(d) for d in ctx.options.get("directions", ("Ingress", "Egress"))]
    workloads = ctx.cluster.workloads
    candidates = [i for i, w in enumerate(workloads) if ev.index.selectable >> i & 1]
    isolated = {d: {i for i in candidates if ev.is_isolated(i, d)} for d in directions}
    protected = {d: {workloads[i].namespace for i in isolated[d]} for d in directions}
    everywhere = not ctx.options.get("only_protected_namespaces", True)
    for i in candidates:
        w = workloads[i]
        open_ = [d.value for d in directions if i not in isolated[d] and (everywhere or w.namespace in protected[d])]
        if open_:
            dirs = " and ".join(open_)
            yield Hit(
                w.span,
                f"{w.ref} is not isolated for {dirs}: no NetworkPolicy that selects it has {dirs} in its "
                f"policyTypes, so all {dirs.lower()} traffic is allowed",
            )


RULE = RuleSpec(
    id="NP306",
    name="workload-not-isolated",
    summary="No policy isolates a workload for ingress or egress, so all such traffic is allowed.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "directions": {
                "type": "array",
                "items": {"enum": ["Ingress", "Egress"]},
                "uniqueItems": True,
                "description": "Directions to check.",
            },
            "only_protected_namespaces": {
                "type": "boolean",
                "description": "Report a direction only where the namespace isolates some other workload in it.",
            },
        },
        "additionalProperties": False,
    },
    defaults={"directions": ["Ingress", "Egress"], "only_protected_namespaces": True},
)
