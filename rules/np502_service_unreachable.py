"""NP502 service-unreachable: a Service whose backends admit no source at all on its ports.

## What it flags

A Service port such that no backend pod admits, on its target port, any source: no other
workload of the input whose own egress also allows it, and no external address. Ingress
isolation of the backends and egress isolation of the would-be clients both count. Services
without a selector, whose selector matches no workload, or whose named targetPort no backend
defines are left to the selection rules.

## Why it matters

Clients of the Service time out although the Service, its endpoints and its pods all look
healthy; the cause is a policy, often a default-deny without the matching allow, or an allow
rule on the Service `port` instead of the pod port.

## Example

The backends are isolated for ingress and their only rule allows port 80, but the Service sends
to target port 8080.

## Fix

Add an ingress rule to the backends' policies that admits the intended clients on the target
port (the pod's port, not the Service port), and check that the clients' egress allows it too.

## Options

This rule has no options.

## References

- [Service targetPort](https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service)
- [website#8295: policies see the pod port](https://github.com/kubernetes/website/issues/8295)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.findings import Hit, Severity
from policylint.model import Service, ServicePort
from policylint.queries.services import backends, reachable_from_somewhere, target_port
from policylint.rulespec import RuleContext, RuleSpec


def unreachable(ev: Evaluator, members: int, sp: ServicePort) -> bool | None:
    """True when no backend admits any source on the port; None when no backend defines it."""
    resolved = False
    for b in bit_indices(members):
        port = target_port(ev.workloads[b], sp.target_port, sp.port, sp.protocol)
        if port is None:
            continue
        resolved = True
        if reachable_from_somewhere(ev, b, sp.protocol, port):
            return False
    return True if resolved else None


def describe(sp: ServicePort) -> str:
    target = sp.port if sp.target_port is None else sp.target_port
    return f"{sp.protocol.value} {sp.port} (target port {target})"


def findings(ev: Evaluator, service: Service) -> Iterator[Hit]:
    members = backends(ev, service)
    if not members:
        return
    dead = [sp for sp in service.ports if unreachable(ev, members, sp)]
    if not dead:
        return
    where = dead[0].span if len(dead) == 1 else service.span
    ports = ", ".join(describe(sp) for sp in dead)
    first = ev.workloads[bit_indices(members)[0]].ref
    yield Hit(
        where,
        f"Service {service.ref} is unreachable on {ports}: its backends (e.g. {first}) admit no "
        "workload and no external address there; allow the clients on the target port",
    )


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev: Evaluator = ctx.evaluator
    for service in ctx.cluster.services:
        yield from findings(ev, service)


RULE = RuleSpec(
    id="NP502",
    name="service-unreachable",
    summary="No workload and no external address can reach a Service's backends on its target port.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
