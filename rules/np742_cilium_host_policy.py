"""NP742 cilium-host-policy: a Cilium host policy (`nodeSelector`), which policylint does not model.

## What it flags

A `CiliumClusterwideNetworkPolicy` rule that selects nodes with `nodeSelector` instead of
endpoints with `endpointSelector`.

## Why it matters

Host policies govern traffic to and from the nodes themselves (and hostNetwork pods), which
manifests do not describe. policylint leaves such a rule out of every answer and says so here,
so the answers never look complete when they are not.

## Example

A clusterwide policy restricting SSH to the nodes.

## Fix

Nothing to fix in the manifest; check host policies on a live cluster (`cilium policy get`).

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [Host firewall](https://docs.cilium.io/en/stable/security/policy/language/#host-policies)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP742",
    name="cilium-host-policy",
    summary="A Cilium host policy (nodeSelector), outside what policylint models.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="input",
)
