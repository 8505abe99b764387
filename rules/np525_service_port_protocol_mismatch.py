"""NP525 service-port-protocol-mismatch: a Service port whose protocol is not the one of the
container port it targets.

## What it flags

A port of a Service with a selector (without one: below) whose `targetPort` (its `port` when absent) is, on the
workloads the Service selects:
- a number that the containers declare only with another protocol (DNS on `53/UDP` exposed by
  a Service port that leaves `protocol` at its default, TCP); or
- a name that the containers give only to a port of another protocol.

A Service without a selector is checked on the pods of the input its EndpointSlices (or
Endpoints) name, with the port listed there as the target
([Services without selectors](https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors)).

## Why it matters

A Service port forwards its own protocol only: a TCP Service port sends TCP to the target port,
never UDP. Kubernetes looks a named targetPort up by name *and* protocol, so a name that exists
only for another protocol gives the Service no endpoint on that port. Either way the clients'
traffic (UDP 53 queries, say) has no path through the Service, while the manifests read as if it
had; and NetworkPolicies written for the container's protocol do not describe the Service's.

## Example

A CoreDNS-like Deployment declaring `{name: dns, containerPort: 53, protocol: UDP}` behind a Service
port `{port: 53, targetPort: dns}` that has no `protocol` (so TCP).

## Fix

Give the Service port the container port's protocol (`protocol: UDP`), or add one Service port per
protocol when the workload serves both (DNS serves `53/UDP` and `53/TCP`).

## Options

This rule has no options. NP207 reports target ports that no container declares in any protocol.

## References

- [ServicePort protocol and targetPort](https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec)
- [Multi-port and multi-protocol Services](https://kubernetes.io/docs/concepts/services-networking/service/#protocol-support)
- [Named ports are looked up by name and protocol (FindPort)](https://github.com/kubernetes/kubernetes/blob/master/pkg/api/v1/pod/util.go)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from policylint.engine.bitset import bit_indices
from policylint.findings import Hit, Severity
from policylint.model.workload import ContainerPort, Service, ServicePort, Workload
from policylint.queries.services import endpoint_backends, endpoint_port, endpoint_sets
from policylint.queries.suggest import LabelView
from policylint.rulespec import RuleContext, RuleSpec


def mismatch(port: ServicePort, workloads: list[Workload]) -> tuple[str, list[ContainerPort]] | None:
    """(how the target was written, the container ports of other protocols it meets), or None when
    some selected container declares the target for the Service port's protocol, or none at all."""
    target = port.target_port if port.target_port is not None else port.port
    named = isinstance(target, str)

    def same(p: ContainerPort) -> bool:
        return p.name == target if named else p.port == target

    declared = [p for w in workloads for p in w.ports if same(p)]
    if not declared or any(p.protocol is port.protocol for p in declared):
        return None
    return (f"`{target}`" if named else str(target)), declared


def service_hits(svc: Service, workloads: list[Workload], refs: str) -> Iterator[Hit]:
    for port in svc.ports:
        found = mismatch(port, workloads)
        if found is None:
            continue
        target, declared = found
        others = "/".join(sorted({p.protocol.value for p in declared}))
        label = f"port {port.port}" + (f" ({port.name})" if port.name else "")
        yield Hit(
            port.span,
            f"Service {svc.ref} {label} is {port.protocol.value}, but its targetPort {target} is a {others} "
            f"container port of {refs}: the Service forwards no {others} there; set protocol: {others}",
        )


def selectorless_hits(ctx: RuleContext, svc: Service) -> Iterator[Hit]:
    """Each backend of the input behind the Service's endpoints, on the port they list for it."""
    ev = ctx.evaluator
    flagged: set[ServicePort] = set()
    for b, listed in endpoint_backends(ev, svc).items():
        w = ev.workloads[b]
        for sp in svc.ports:
            tp = endpoint_port(listed, sp)
            if tp is not None and sp not in flagged:  # the endpoint port replaces targetPort here
                for hit in service_hits(replace(svc, ports=(replace(sp, target_port=tp),)), [w], w.ref):
                    flagged.add(sp)
                    yield hit


def check(ctx: RuleContext) -> Iterator[Hit]:
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for svc in ctx.cluster.services:
        if not svc.selector and svc.type != "ExternalName" and endpoint_sets(ctx.cluster, svc):
            yield from selectorless_hits(ctx, svc)
        if not svc.selector or svc.type == "ExternalName":
            continue
        pods = view.selector_pods(svc.namespace, svc.selector)
        if pods:
            workloads = [ctx.cluster.workloads[i] for i in bit_indices(pods)]
            yield from service_hits(svc, workloads, view.refs(pods))


RULE = RuleSpec(
    id="NP525",
    name="service-port-protocol-mismatch",
    summary="A Service port whose protocol differs from the container port it targets (UDP 53 exposed as TCP).",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
