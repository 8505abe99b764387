"""NP803 legacy-isolation-annotation: a namespace relies on the pre-1.7 isolation annotation.

## What it flags

A Namespace annotated `net.beta.kubernetes.io/network-policy` (for example
`{"ingress": {"isolation": "DefaultDeny"}}`), the way namespaces opted into isolation while
NetworkPolicy was a beta `extensions` API.

## Why it matters

Kubernetes ignores the annotation since 1.7, when NetworkPolicy became `networking.k8s.io/v1`
and isolation moved into the policies themselves: a pod is isolated only when a NetworkPolicy
selects it. A namespace that still carries the annotation looks locked down and is open.

## Example

`metadata.annotations: {net.beta.kubernetes.io/network-policy: '{"ingress": {"isolation": "DefaultDeny"}}'}`

## Fix

Remove the annotation and add a default-deny NetworkPolicy (`podSelector: {}`,
`policyTypes: [Ingress]`) to the namespace.

## Options

This rule has no options.

## References

- [Kubernetes 1.7 release notes: NetworkPolicy v1](https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.7.md)
- [Network Policies: default policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec

ANNOTATION = "net.beta.kubernetes.io/network-policy"


def check(ctx: RuleContext) -> Iterator[Hit]:
    for ns in ctx.cluster.namespaces:
        if ns.span is not None and ANNOTATION in ns.annotations:
            yield Hit(ns.span, f"namespace {ns.name} has annotation {ANNOTATION}, which Kubernetes ignores since 1.7; "
                               "it isolates no pod: add a default-deny NetworkPolicy instead")  # fmt: skip


RULE = RuleSpec(
    id="NP803",
    name="legacy-isolation-annotation",
    summary="A namespace relies on the pre-1.7 isolation annotation, which Kubernetes ignores.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
