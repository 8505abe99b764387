"""NP706 baseline-not-default: a BaselineAdminNetworkPolicy not named `default`.

## What it flags

A `policy.networking.k8s.io/v1alpha1` BaselineAdminNetworkPolicy whose `metadata.name` is
not `default`. The policy is reported and then left out of the analysis.

## Why it matters

There is one BaselineAdminNetworkPolicy per cluster and its CRD enforces the name
(`self.metadata.name == 'default'`): the API server rejects any other. The policy as written
never takes effect, and analysing it would describe a cluster that cannot exist.

## Example

A BaselineAdminNetworkPolicy named `baseline`.

## Fix

Name it `default` (merge its rules into the existing `default` if there is one), or move to a
`ClusterNetworkPolicy` with `tier: Baseline`, which allows several.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [BaselineAdminNetworkPolicy](https://network-policy-api.sigs.k8s.io/api-overview/)
- apis/v1alpha1/baselineadminnetworkpolicy_types.go in kubernetes-sigs/network-policy-api v0.1.7
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP706",
    name="baseline-not-default",
    summary="A BaselineAdminNetworkPolicy is not named 'default', so the API server rejects it.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="input",
)
