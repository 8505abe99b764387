"""NP521 ingress-backend-unreachable: an Ingress, Route or Gateway API route whose backend pods
admit no traffic from the ingress controller.

## What it flags

A backend reference (an Ingress path or default backend, a Route `to`, an HTTPRoute
`backendRef`) whose Service sends to pods whose policies (every tier) admit nothing from the
ingress controller's pods on the target ports the entry forwards to. The controller is the one
given by `--ingress-controller` / found in the input (ingress-nginx, Traefik, Contour, Envoy
Gateway, ...), else a label-less pod in namespace `ingress-controller-ns`, as netpol-analyzer
models it.

## Why it matters

The proxy connects to the backend pods itself, so their ingress rules see the controller, not the
internet client. A default-deny namespace that forgot the controller turns every request into a
502/504 at the edge, while the Ingress looks fine.

## Example

A namespace with a default-deny ingress policy and an Ingress routing `shop.example.com` to
the `web` Service, with no rule admitting the ingress controller's namespace.

## Fix

Admit the controller: an ingress rule with `namespaceSelector: {matchLabels:
{kubernetes.io/metadata.name: ingress-nginx}}` (and its pod labels) on the target port.

## Options

This rule has no options.

## References

- [Ingress](https://kubernetes.io/docs/concepts/services-networking/ingress/)
- [netpol-analyzer: connectivity from the ingress controller](https://github.com/np-guard/netpol-analyzer)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec

PROXIED = ("Ingress", "Route", "HTTPRoute", "GRPCRoute", "TLSRoute")


def check(ctx: RuleContext) -> Iterator[Hit]:
    report = ctx.exposure()
    for e in report.exposures:
        if e.entry.kind not in PROXIED or e.conns or not e.blocked:
            continue
        w = e.workload
        yield Hit(
            e.span if e.span.line else e.entry.span,
            f"{e.entry.kind} {e.entry.namespace}/{e.entry.name} routes to {w.namespace}/{w.name}[{w.kind}] on "
            f"{e.blocked}, but its policies admit nothing from {e.via}; admit the controller on those ports",
        )


RULE = RuleSpec(
    id="NP521",
    name="ingress-backend-unreachable",
    summary="An Ingress, Route or HTTPRoute backend that the ingress controller cannot reach.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
