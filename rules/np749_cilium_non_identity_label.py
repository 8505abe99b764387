"""NP749 cilium-non-identity-label: a Cilium selector tests a label Cilium leaves out of identities.

## What it flags

An `endpointSelector`, `fromEndpoints`/`toEndpoints` or `fromRequires`/`toRequires` selector of
a Cilium policy that tests a pod label excluded by Cilium's default identity label filter:
`pod-template-hash`, `controller-revision-hash`, `pod-template-generation`, `controller-uid`,
`statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`,
`batch.kubernetes.io/job-completion-index`, and keys starting with `io.kubernetes`,
`kubernetes.io`, `k8s.io`, `annotation` or ending a `beta.kubernetes.io` prefix
(`io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels.*` and `app.kubernetes.io/*`
are kept).

## Why it matters

Cilium enforces policy on security identities, built from the labels the filter keeps. A label
left out is on no identity: `matchLabels` or `In`/`Exists` on it match no endpoint (the policy
selects nothing, or the peer admits nothing), and `NotIn`/`DoesNotExist` on it match every
endpoint. policylint evaluates the selector that way, as the agent does, and says so here.

## Example

A CiliumNetworkPolicy whose `endpointSelector` picks one StatefulSet replica by
`statefulset.kubernetes.io/pod-name`.

## Fix

Select by a label that is part of the identity (the app's own labels), or add the label to the
agent's `--labels` list if it must be an identity label.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [cilium/cilium pkg/labelsfilter/filter.go (defaultLabelPrefixCfg)](https://github.com/cilium/cilium/blob/main/pkg/labelsfilter/filter.go)
- [Limiting identity-relevant labels](https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP749",
    name="cilium-non-identity-label",
    summary="A Cilium selector tests a label that Cilium leaves out of security identities.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="input",
)
