"""NP521 ingress-backend-unreachable: an Ingress, Route or Gateway API route whose backend pods
admit no traffic from the ingress controller.

## What it flags

A backend reference (an Ingress path or default backend, a Route `to`, an HTTPRoute
`backendRef`) whose Service sends to pods whose policies (every tier) admit nothing from the
ingress controller's pods on the target ports the entry forwards to. The controller is the one
given by `--ingress-controller` / found in the input (ingress-nginx, Traefik, Contour, Envoy
Gateway, ...), else a label-less pod in namespace `ingress-controller-ns`, as netpol-analyzer
models it.

When no controller is found in the input, the controller is an assumption, and the real one runs
outside the input. If the backends admit pods of some other namespace that could exist (z3
finds one: say `namespaceSelector: {kubernetes.io/metadata.name: ingress-nginx}` while that
namespace is not in the input), the controller probably runs there: the finding drops to
**info**, names the sources the rules admit, and says how to name the controller
(`policylint exposure --ingress-controller NAMESPACE`). It stays a warning when no pod of another
namespace could reach the backends, or when the controller is found in the input.

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

from policylint.engine.concrete import Evaluator
from policylint.findings import Hit, Severity
from policylint.queries.exposure import Exposure, find_controller
from policylint.queries.outside import engine, only_outside, outside_peers, reachable_from_elsewhere
from policylint.queries.suggest import LabelView
from policylint.rulespec import RuleContext, RuleSpec

PROXIED = ("Ingress", "Route", "HTTPRoute", "GRPCRoute", "TLSRoute")


def elsewhere(ctx: RuleContext, e: Exposure) -> str | None:
    """The sources outside the input the backend admits from other namespaces, when some pod there
    could reach it on a blocked port (the real controller may be one); None otherwise."""
    ev: Evaluator = ctx.evaluator
    index = next((i for i, w in enumerate(ev.workloads) if w is e.workload), None)
    if index is None:
        return None
    for protocol, intervals in e.blocked.items():
        port = intervals[0][0]
        outside = reachable_from_elsewhere(engine(ctx), index, e.workload.namespace, protocol, port)
        if outside.proved or outside.undecided:
            continue
        view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
        peers = [] if ev.layered else outside_peers(view, ev, index, protocol, port)
        return only_outside(peers, outside.witness, view)
    return None


def check(ctx: RuleContext) -> Iterator[Hit]:
    report = ctx.exposure()
    # The controller is an assumption unless configured or found among the input's workloads.
    assumed = not ctx.ingress_controller and find_controller(ctx.cluster) is None
    for e in report.exposures:
        if e.entry.kind not in PROXIED or e.conns or not e.blocked:
            continue
        w = e.workload
        where = e.span if e.span.line else e.entry.span
        head = f"{e.entry.kind} {e.entry.namespace}/{e.entry.name} routes to {w.namespace}/{w.name}[{w.kind}] on"
        sources = elsewhere(ctx, e) if assumed else None
        if sources is not None:
            yield Hit(
                where,
                f"{head} {e.blocked}, whose policies admit nothing from {e.via}, an assumption since the input "
                f"holds no controller, but admit sources outside the input: {sources}; if the controller runs "
                "there, name it (`policylint exposure --ingress-controller NAMESPACE`)",
                severity=Severity.INFO,
            )
            continue
        yield Hit(
            where,
            f"{head} {e.blocked}, but its policies admit nothing from {e.via}; admit the controller on those ports",
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
