"""NP804 apiserver-service-not-in-input: a webhook or APIService names a Service the input does not hold.

## What it flags

A ValidatingWebhookConfiguration or MutatingWebhookConfiguration webhook (`clientConfig.service`)
or an APIService (`spec.service`) whose Service is not among the manifests read.

## Why it matters

Whether the kube-apiserver can reach the webhook (NP507) depends on that Service's backends and
their policies. Without the Service in the input, policylint cannot say; this finding says so
instead of staying silent.

## Example

A webhook configuration checked in beside its NetworkPolicies, with the Service and Deployment
rendered from a chart that is not part of the input.

## Fix

Add the Service, its workload and their policies to the input (or render the chart into it); if
they live in another repository, this finding is expected and can be disabled.

## Options

This rule has no options.

## References

- [Dynamic admission control: service reference](https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#service-reference)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    present = {(s.namespace, s.name) for s in ctx.cluster.services}
    for call in ctx.cluster.callers:
        if (call.namespace, call.service) not in present:
            where = f"{call.namespace}/{call.service}"
            yield Hit(call.span, f"{call.ref} calls Service {where}, which is not in the input: whether the API "
                                 "server can reach its pods (NP507) is not checked")  # fmt: skip


RULE = RuleSpec(
    id="NP804",
    name="apiserver-service-not-in-input",
    summary="A webhook or APIService names a Service the input does not hold, so its reachability is not checked.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
