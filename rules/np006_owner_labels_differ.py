"""NP006 owner-labels-differ: pods of one owner carry different labels.

## What it flags

Bare Pod objects (as `kubectl get pods -o yaml` prints them) that share a controller
`ownerReference` but whose labels differ. policylint merges the pods of one owner into one
workload, so it has to pick one label set.

## Why it matters

Selectors match individual pods. When replicas of one owner are labelled differently (a
rollout in progress, a label added by hand), a policy may select some replicas and not
others, and the merged workload cannot represent that.

## Example

Two pods owned by ReplicaSet `web-5d8f` where only one carries `tier: frontend`.

## Fix

Analyse the owner's manifest (its pod template) instead of a dump of live pods, or wait for
the rollout to finish before dumping.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [Owners and dependents](https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP006",
    name="owner-labels-differ",
    summary="Pods merged into one workload because they share an owner carry different labels.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="input",
)
