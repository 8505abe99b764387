"""NP746 cilium-namespace-label-unprefixed: a namespace label used as if it were a pod label.

## What it flags

A Cilium `endpointSelector`, `fromEndpoints` or `toEndpoints` that requires a label key which no
workload carries but some namespace does, written without the
`k8s:io.cilium.k8s.namespace.labels.` prefix.

## Why it matters

Cilium matches endpoint labels; a namespace's labels reach its pods only under that prefix.
`team: shop` therefore looks for pods labelled `team`, finds none, and the rule selects nothing.

## Example

`fromEndpoints: [{matchLabels: {team: shop}}]` where `team` labels the namespace.

## Fix

Write the key as `k8s:io.cilium.k8s.namespace.labels.team`.

## Options

This rule has no options.

## References

- [Using Kubernetes constructs: namespaces](https://docs.cilium.io/en/stable/security/policy/kubernetes/#namespaces)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.rule_form import PodScope
from policylint.model.selector import Operator
from policylint.queries.cilium import cilium_policies
from policylint.rulespec import RuleContext, RuleSpec

_POSITIVE = (Operator.IN, Operator.EXISTS)


def check(ctx: RuleContext) -> Iterator[Hit]:
    pod_keys = {k for w in ctx.cluster.workloads for k in w.labels}
    ns_keys = {k for ns in ctx.cluster.namespaces for k in ns.labels}
    for policy in cilium_policies(ctx.cluster):
        scopes: list[tuple[str, PodScope]] = [("endpointSelector", s) for s in policy.subject]
        scopes += [(f"{r.origin.section} rule {(r.origin.rule_index or 0) + 1}", m.pods)
                   for r in policy.rules for m in r.peers if m.pods is not None]
        for where, scope in scopes:
            for req in scope.pods.match_expressions:
                if req.operator in _POSITIVE and req.key not in pod_keys and req.key in ns_keys:
                    yield Hit(req.span, f"{policy.origin.kind} {policy.origin.ref} {where} requires label "
                              f"{req.key!r}, which only namespaces carry; write "
                              f"'k8s:io.cilium.k8s.namespace.labels.{req.key}'")


RULE = RuleSpec(
    id="NP746",
    name="cilium-namespace-label-unprefixed",
    summary="A Cilium selector uses a namespace label without the io.cilium.k8s.namespace.labels prefix.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
