"""NP502 service-unreachable: a Service whose backends admit no source at all on its ports.

## What it flags

A Service port such that no backend pod admits, on its target port, any source: no other
workload of the input whose own egress also allows it, and no external address. Ingress
isolation of the backends and egress isolation of the would-be clients both count. Services
whose selector matches no workload, or whose named targetPort no backend defines, are left to
the selection rules.

A Service without a selector is checked on the pods of the input that its EndpointSlices (or
Endpoints) name, on the ports listed there: those are the backends' own ports
([Services without selectors](https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors)).

The claim is checked for every pod that could exist, not only the input's workloads (the SMT
engine): a repository seldom holds the whole cluster. When a pod outside the input could reach
the backends (a rule admits `namespaceSelector: {kubernetes.io/metadata.name: ingress-nginx}`
and that namespace is not in the input), the Service is not unreachable, so the finding drops
to **info** and says which sources, all outside the input, the rules admit: that is worth
knowing (no client of the input reaches it) but is not an outage. It stays a warning when no pod
that could exist and no external address can reach it, and says so; when the proof could not
be made (z3 gave up, or the assumptions have no SMT encoding) the warning says it was checked
for the input's workloads only. Info rather than silence, because the user should see that the
Service's only admitted clients are ones the input does not hold.

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
- [Targeting a Namespace by its name](https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import SmtEngine
from policylint.findings import Hit, Severity
from policylint.model import Direction, Protocol, Service, ServicePort
from policylint.queries.outside import Outside, engine, only_outside, outside_peers, reachable
from policylint.queries.services import PortList, member_port, members, reachable_from_somewhere
from policylint.queries.suggest import LabelView
from policylint.rulespec import RuleContext, RuleSpec


def unreachable(ev: Evaluator, found: dict[int, PortList | None], sp: ServicePort) -> list[tuple[int, int]] | None:
    """The (backend, target port) pairs when no backend admits any source of the input on the
    port (empty when one does); None when no backend defines the port."""
    resolved: list[tuple[int, int]] = []
    for b, listed in found.items():
        port = member_port(ev, b, listed, sp)
        if port is None:
            continue
        if reachable_from_somewhere(ev, b, sp.protocol, port):
            return []
        resolved.append((b, port))
    return resolved or None


Smt = Callable[[], SmtEngine | None]  # built on first use: most runs never need the solver


def admits_port(ev: Evaluator, backend: int, protocol: Protocol, port: int) -> bool:
    """Some ingress rule of the backend's policies admits (protocol, port) from some peer (with
    tiers: always assumed, they may allow what no NetworkPolicy does)."""
    if ev.layered or not ev.is_isolated(backend, Direction.INGRESS):
        return True
    dst = ev.workloads[backend]
    return any(r.ports.for_destination(dst).contains(protocol, port) for r in ev.rules_for(backend, Direction.INGRESS))


def beyond_input(
    ev: Evaluator, smt: Smt, sp: ServicePort, targets: list[tuple[int, int]]
) -> tuple[Outside, int, int]:
    """Over every pod that could exist: proved unreachable, or the first backend a pod outside the
    input (or an address) reaches, with its port."""
    last = Outside(True)
    for b, port in targets:
        if not admits_port(ev, b, sp.protocol, port):
            continue  # no rule admits the port to anyone: no pod that could exist gets in either
        last = reachable(smt(), ev, b, sp.protocol, port)
        if not last.proved:
            return last, b, port
    return last, targets[0][0], targets[0][1]


def describe(sp: ServicePort) -> str:
    target = sp.port if sp.target_port is None else sp.target_port
    return f"{sp.protocol.value} {sp.port} (target port {target})"


def findings(ev: Evaluator, smt: Smt, view: LabelView, service: Service) -> Iterator[Hit]:
    found = members(ev, service)
    if not found:
        return
    dead: list[ServicePort] = []
    unproved: list[str] = []
    for sp in service.ports:
        targets = unreachable(ev, found, sp)
        if not targets:
            continue
        outside, b, port = beyond_input(ev, smt, sp, targets)
        if outside.proved:
            dead.append(sp)
        elif outside.undecided:
            dead.append(sp)
            unproved.append(outside.undecided)
        else:
            # With tiers, a NetworkPolicy peer may not be what admits: describe z3's witness instead.
            peers = [] if ev.layered else outside_peers(view, ev, b, sp.protocol, port)
            sources = only_outside(peers, outside.witness, view)
            yield Hit(
                sp.span,
                f"Service {service.ref} on {describe(sp)} admits only sources outside the input: {sources}; "
                "no workload of the input reaches it (it is unreachable unless such clients run in the cluster)",
                severity=Severity.INFO,
            )
    if not dead:
        return
    where = dead[0].span if len(dead) == 1 else service.span
    ports = ", ".join(describe(sp) for sp in dead)
    first = ev.workloads[next(iter(found))].ref
    if unproved:
        scope = "no workload of the input and no external address"
        scope += f" (not checked for pods outside the input: {unproved[0]})"
    else:
        scope = "no pod, in the input or not, and no external address"
    yield Hit(
        where,
        f"Service {service.ref} is unreachable on {ports}: its backends (e.g. {first}) admit {scope} there; "
        "allow the clients on the target port",
    )


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev: Evaluator = ctx.evaluator
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for service in ctx.cluster.services:
        yield from findings(ev, lambda: engine(ctx), view, service)


RULE = RuleSpec(
    id="NP502",
    name="service-unreachable",
    summary="No workload and no external address can reach a Service's backends on its target port.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
