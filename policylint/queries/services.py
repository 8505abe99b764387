"""Services: which pods back a Service, which pod port a Service port sends to, and whether any
source can reach a backend on that port.
"""

from __future__ import annotations

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.model import Direction, LabelSelector, Protocol, Service, Workload


def backends(ev: Evaluator, service: Service) -> int:
    """Workloads of the Service's namespace whose labels match its selector (None: no backends)."""
    if not service.selector:
        return 0
    selector = LabelSelector(tuple(sorted(service.selector.items())))
    return ev.index.pods.select(selector) & ev.index.in_namespace(service.namespace)


def target_port(workload: Workload, port: int | str | None, service_port: int, protocol: Protocol) -> int | None:
    """The pod port a Service port sends to on `workload` (None: a name the pod does not define)."""
    if port is None:
        return service_port
    if isinstance(port, int):
        return port
    return workload.named_port(port, protocol)


def reachable_from_somewhere(ev: Evaluator, backend: int, protocol: Protocol, port: int) -> bool:
    """Can any other workload or any external address open (protocol, port) to `backend`?"""
    if ev.layered:  # tiers may deny or allow what NetworkPolicy says nothing of: ask every source
        if between_replicas(ev, backend).contains(protocol, port):
            return True
        atoms = (ev.space.address(i) for i in range(len(ev.space.atoms)))
        sources = [*(s for s in range(len(ev.workloads)) if s != backend), *atoms]
        return any(ev.allowed_conns(s, backend).contains(protocol, port) for s in sources)
    if not ev.is_isolated(backend, Direction.INGRESS):
        return True
    dst = ev.workloads[backend]
    candidates = 0
    for rule in ev.rules_for(backend, Direction.INGRESS):
        if rule.ports.for_destination(dst).contains(protocol, port):
            if rule.atoms:
                return True
            candidates |= rule.pods
    if between_replicas(ev, backend).contains(protocol, port):
        return True
    candidates &= ~(1 << backend)
    return any(ev.allowed_conns(s, backend).contains(protocol, port) for s in bit_indices(candidates))


def between_replicas(ev: Evaluator, workload: int) -> ConnSet:
    """What one pod of `workload` may open to another of its pods (their names known: two or more).
    Not self-traffic: each pod's egress and the other's ingress both apply."""
    if len(ev.workloads[workload].pods) < 2:
        return NONE
    return ev.side_conns(workload, workload, Direction.EGRESS) & ev.side_conns(workload, workload, Direction.INGRESS)
