"""Services: which pods back a Service, which pod port a Service port sends to, and whether any
source can reach a backend on that port.
"""

from __future__ import annotations

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
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
    candidates &= ~(1 << backend)
    return any(ev.allowed_conns(s, backend).contains(protocol, port) for s in bit_indices(candidates))
