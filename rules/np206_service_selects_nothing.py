"""NP206 service-selects-nothing: a Service whose selector matches no workload of its namespace.

## What it flags

A Service with a non-empty `spec.selector` that matches no workload (pod template labels)
of its namespace in the input, with a suggestion when a label of that namespace is close
("did you mean `app: frontend`?").

A Service without a selector takes its backends from the EndpointSlices (or Endpoints) of
the input that name it ([Services without selectors](https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors)):
it is flagged when the input has such objects and none lists a ready address (kube-proxy sends
nothing to an address whose `conditions.ready` is false,
[EndpointSlice](https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoint-slice-v1/)).

Not flagged: Services without a selector whose endpoints the input does not hold (they are
managed by hand or by another controller), `ExternalName` Services, and Services of a namespace with no workload
in the input (the workloads are probably kept elsewhere).

## Why it matters

The Service has no endpoints: clients get connection refused or time out, and the
policies written for its backends protect nothing anyone reaches. Usually the selector and
the pod template labels drifted apart.

## Example

A Service selecting `app: web` while the Deployment labels its pods `app: frontend`.

## Fix

Make the Service selector match the pod template labels.

## Options

This rule has no options.

## References

- [Service selector](https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service)
- [Labels and selectors](https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.cluster import Cluster
from policylint.model.selector import LabelSelector
from policylint.model.workload import Service
from policylint.queries.services import endpoint_sets
from policylint.queries.suggest import LabelView, did_you_mean, span_or
from policylint.rulespec import RuleContext, RuleSpec


def selectorless(cluster: Cluster, svc: Service) -> Iterator[Hit]:
    """A selector-less Service whose EndpointSlices / Endpoints in the input list no ready address."""
    sets = [e for e in endpoint_sets(cluster, svc) if not e.fqdn]
    if sets and not any(a.ready for e in sets for a in e.addresses):
        names = ", ".join(f"{e.kind} {e.namespace}/{e.name}" for e in sets[:3])
        yield Hit(svc.span, f"Service {svc.ref} has no selector and its endpoints ({names}) list no ready address: "
                            "it has no backends")  # fmt: skip


def check(ctx: RuleContext) -> Iterator[Hit]:
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for svc in ctx.cluster.services:
        if not svc.selector and svc.type != "ExternalName":
            yield from selectorless(ctx.cluster, svc)
        if not svc.selector or svc.type == "ExternalName" or not view.in_namespace(svc.namespace):
            continue
        if view.selector_pods(svc.namespace, svc.selector):
            continue
        selector = LabelSelector(tuple(sorted(svc.selector.items())))
        pos = view.index.namespace_pos[svc.namespace]
        hint = did_you_mean(selector, view.pod_pool(1 << pos))
        yield Hit(
            span_or(svc.selector_span, svc.span),
            f"selector {selector} of Service {svc.ref} matches no workload in namespace {svc.namespace}{hint}",
        )


RULE = RuleSpec(
    id="NP206",
    name="service-selects-nothing",
    summary="A Service's selector matches no workload in its namespace.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
