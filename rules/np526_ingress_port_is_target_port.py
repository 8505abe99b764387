"""NP526 ingress-port-is-target-port: an Ingress backend port that names a Service's targetPort,
not one of its ports.

## What it flags

An Ingress backend `service.port.number` (or `port.name`) that is no port of the Service, while it
equals the `targetPort` of one of the Service's ports, as written (a number, or a name).

## Why it matters

The Ingress API defines the backend port as a port *of the Service*. ingress-nginx also matches
it against the Service ports' target ports, so there the Ingress works (and `policylint exposure`
routes it, with a note, as netpol-analyzer does); other controllers (Traefik, Contour, GKE, AWS
Load Balancer Controller, ...) find no such Service port and answer 503 or drop the route. The
manifests then work only with one controller, and a policy review that reads the port as a
Service port is reading the wrong number.

## Example

A Service `{port: 80, targetPort: 8080}` and an Ingress backend `port: {number: 8080}`.

## Fix

Name the Service port: `port: {number: 80}`, or give it a name and use `port: {name: ...}`.

## Options

This rule has no options.

## References

- [IngressServiceBackend port: a port of the referenced Service](https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend)
- [ingress-nginx serviceEndpoints matches targetPort too](https://github.com/kubernetes/ingress-nginx/blob/main/internal/ingress/controller/controller.go)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.queries.exposure import target_port_slip
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    services = {(s.namespace, s.name): s for s in ctx.cluster.services}
    for entry in ctx.cluster.entries.entries:
        if entry.kind != "Ingress":
            continue
        for backend in entry.backends:
            svc = services.get((backend.namespace, backend.service))
            hit = target_port_slip(svc, backend.port) if svc is not None else None
            if svc is None or hit is None:
                continue
            name = f" ({hit.name})" if hit.name else ""
            yield Hit(
                backend.span,
                f"Ingress {entry.namespace}/{entry.name} backend port {backend.port} is no port of Service "
                f"{svc.ref} but the targetPort of its port {hit.port}{name}: only ingress-nginx routes it; "
                f"write port {hit.port}",
            )


RULE = RuleSpec(
    id="NP526",
    name="ingress-port-is-target-port",
    summary="An Ingress backend port that is a Service's targetPort, not its port (only ingress-nginx routes it).",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
