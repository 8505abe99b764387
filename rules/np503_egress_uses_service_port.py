"""NP503 egress-uses-service-port: an egress rule allows a Service's port instead of its pod port.

## What it flags

An egress rule whose peers include backends of a Service, that allows the Service's `port` but
not the `targetPort` it forwards to on those backends. A backend that itself listens on the
Service port (a container port with that number) is not reported.

## Why it matters

Egress policies are enforced after the Service address is translated to a pod: they see the
backend pod and its target port, never the ClusterIP and the Service port. A rule on the Service
port therefore blocks the traffic it was written for whenever the two numbers differ.

## Example

Service `api` listens on 80 and forwards to 8080; the client's egress rule allows port 80.

## Fix

Allow the target port (8080), or name the container port (`port: http`) so the rule follows the
pod.

## Options

This rule has no options.

## References

- [website#8295: egress to a Service is matched after DNAT](https://github.com/kubernetes/website/issues/8295)
- [kubernetes#78729](https://github.com/kubernetes/kubernetes/issues/78729)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import CompiledRule, Evaluator
from policylint.findings import Hit, Severity
from policylint.model import Direction, Protocol, Service, ServicePort
from policylint.queries.services import member_port, members
from policylint.rulespec import RuleContext, RuleSpec

Key = tuple[Protocol, int]  # a Service port, by protocol and number
Index = dict[Key, tuple[int, dict[int, list[tuple[Service, ServicePort, int]]]]]  # backends; by backend, with target


def service_ports(ctx: RuleContext) -> Index:
    """Service ports whose targetPort differs from the port, with their backends (once per run)."""
    ev: Evaluator = ctx.evaluator
    index: Index = {}
    for service in ctx.cluster.services:
        found = members(ev, service)
        for sp in service.ports if found else ():
            # Selector-less: the EndpointSlice port is the pod port (targetPort unused), per backend.
            targets = {b: t for b, listed in found.items() if (t := member_port(ev, b, listed, sp)) is not None}
            targets = {b: t for b, t in targets.items() if t != sp.port}
            if targets:
                bits, by_backend = index.setdefault((sp.protocol, sp.port), (0, {}))
                for b, t in targets.items():
                    by_backend.setdefault(b, []).append((service, sp, t))
                index[(sp.protocol, sp.port)] = (bits | sum(1 << b for b in targets), by_backend)
    return index


def mistake(ev: Evaluator, rule: CompiledRule, backend: int, sp: ServicePort, port: int) -> int | None:
    """The target port `rule` fails to allow on `backend`, or None when the rule is fine there."""
    w = ev.workloads[backend]
    if any(p.port == sp.port and p.protocol is sp.protocol for p in w.ports):
        return None  # the pod listens on the Service port too
    return None if rule.ports.for_destination(w).contains(sp.protocol, port) else port


def rule_hits(ev: Evaluator, rule: CompiledRule, index: Index) -> Iterator[Hit]:
    policy, seen = rule.policy, set()
    for (protocol, number), (in_index, by_backend) in index.items():
        if not rule.ports.numeric.contains(protocol, number):
            continue
        for b in bit_indices(rule.pods & in_index):
            for service, sp, target in by_backend[b]:
                port = mistake(ev, rule, b, sp, target)
                if port is None or (service.ref, number) in seen:
                    continue
                seen.add((service.ref, number))
                spec = next((s for s in rule.rule.ports or () if s.port == sp.port), None)
                yield Hit(
                    spec.span if spec else rule.rule.span,
                    f"egress rule {rule.rule.index + 1} of {policy.ref} allows {protocol.value} {number}, "
                    f"the port of Service {service.ref}, but not its target port {port} on "
                    f"{ev.workloads[b].ref}; policies see the pod port: allow {protocol.value} {port}",
                )


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev: Evaluator = ctx.evaluator
    index = ctx.shared("rules.np503.service_ports", lambda: service_ports(ctx))
    positions = ctx.shared("rules.policy_positions", lambda: {id(p): i for i, p in enumerate(ctx.cluster.policies)})
    for rule in ev.compiled_rules(positions[id(ctx.policy)], Direction.EGRESS) if index else ():
        if not rule.rule.all_ports:
            yield from rule_hits(ev, rule, index)


RULE = RuleSpec(
    id="NP503",
    name="egress-uses-service-port",
    summary="An egress rule towards a Service's backends allows the Service port but not its target port.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
