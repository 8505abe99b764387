"""NP207 service-target-port-unknown: a Service targetPort that is not a container port of its pods.

## What it flags

A port of a Service with a selector (without one: below) whose `targetPort` (its `port` when absent) is:
- a name that no container of the selected workloads defines for that protocol; or
- a number that none of them declares, when they declare container ports at all (option
  `check_numeric`).

A Service without a selector has no targetPort in use: each Service port goes to the port its
EndpointSlices (or Endpoints) list under the same name and protocol
([Services without selectors](https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors);
[EndpointPort.name "must match the name of a port in the Service"](https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoint-slice-v1/#EndpointSlice)).
Such a port is flagged when the input holds the Service's endpoints and none lists a port for it.

Services whose selector matches nothing are left to NP206; a target that the containers declare
only for another protocol is left to NP525.

## Why it matters

A named targetPort that no backend defines gives the Service no ready endpoint on that
port. A numeric one may still work (declaring container ports is informational), but it
usually means the Service and the Deployment drifted apart. It also misleads policy
review: NetworkPolicies see the pod's port, not the Service's, so a rule written for the
Service port or the wrong targetPort blocks the traffic.

## Example

A Service whose targetPort names `http` while the container calls its port `web`, and a
numeric targetPort that no container declares.

## Fix

Point targetPort at a port the containers declare, preferably by name.

## Options

Turn `check_numeric` off if your pods listen on ports they do not declare.

## References

- [ServicePort targetPort](https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec)
- [kubernetes/website#8295: policies see the targetPort](https://github.com/kubernetes/website/issues/8295)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.findings import Hit, Severity
from policylint.model.cluster import Cluster
from policylint.model.workload import Service, ServicePort
from policylint.queries.services import PortList, endpoint_port, endpoint_sets
from policylint.queries.suggest import LabelView, closest
from policylint.rulespec import RuleContext, RuleSpec


def problem(view: LabelView, port: ServicePort, pods: int, check_numeric: bool) -> str | None:
    target = port.target_port if port.target_port is not None else port.port
    every = [p for i in bit_indices(pods) for p in view.cluster.workloads[i].ports]
    if any(target in (p.name, p.port) for p in every):
        return None  # declared: for this protocol all is well; for another only, NP525 reports it
    declared = [p for p in every if p.protocol is port.protocol]
    if isinstance(target, str):
        if view.defining(target, port.protocol) & pods:
            return None
        near = closest(target, {p.name for p in declared if p.name})
        return f"names port `{target}`, which no container defines" + (f"; did you mean `{near}`?" if near else "")
    if not check_numeric or not declared or any(p.port == target for p in declared):
        return None
    shown = ", ".join(sorted({f"{p.name}={p.port}" if p.name else str(p.port) for p in declared})[:5])
    return f"is {target}, which no container declares (declared: {shown})"


def service_hits(view: LabelView, svc: Service, pods: int, check_numeric: bool) -> Iterator[Hit]:
    for port in svc.ports:
        why = problem(view, port, pods, check_numeric)
        if why:
            label = f"port {port.port}" + (f" ({port.name})" if port.name else "")
            yield Hit(
                port.span,
                f"targetPort of Service {svc.ref} {label}/{port.protocol.value} {why} in {view.refs(pods)}",
            )


def selectorless_hits(cluster: Cluster, svc: Service) -> Iterator[Hit]:
    """Service ports that no EndpointSlice / Endpoints of the input lists (by name and protocol)."""
    sets = [e for e in endpoint_sets(cluster, svc) if not e.fqdn and any(a.ready for a in e.addresses)]
    listed: PortList = tuple((p.name, p.protocol, p.port) for e in sets for p in e.ports)
    for port in svc.ports if sets else ():
        if endpoint_port(listed, port) is None:
            name = f"`{port.name}`" if port.name else "no name"
            have = ", ".join(sorted({f"{n or '(unnamed)'} {pr.value} {p}" for n, pr, p in listed})) or "none"
            yield Hit(
                port.span,
                f"Service {svc.ref} port {port.port}/{port.protocol.value} ({name}) has no selector and no port "
                f"of that name and protocol in its endpoints (they list: {have}): it has no backend on that port",
            )


def check(ctx: RuleContext) -> Iterator[Hit]:
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    check_numeric = bool(ctx.options.get("check_numeric", True))
    for svc in ctx.cluster.services:
        if not svc.selector and svc.type != "ExternalName":
            yield from selectorless_hits(ctx.cluster, svc)
        if not svc.selector or svc.type == "ExternalName":
            continue
        pods = view.selector_pods(svc.namespace, svc.selector)
        if pods:
            yield from service_hits(view, svc, pods, check_numeric)


RULE = RuleSpec(
    id="NP207",
    name="service-target-port-unknown",
    summary="A Service targetPort is not a container port of the workloads it selects.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "check_numeric": {
                "type": "boolean",
                "description": "Also flag numeric targetPorts that no container declares.",
            }
        },
        "additionalProperties": False,
    },
    defaults={"check_numeric": True},
)
