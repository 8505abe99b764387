"""Services: which pods back a Service, which pod port a Service port sends to, and whether any
source can reach a backend on that port.
"""

from __future__ import annotations

import re

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.model import Direction, LabelSelector, Protocol, Service, Workload
from policylint.model.cluster import Cluster
from policylint.model.endpoints import EndpointAddress, ServiceEndpoints
from policylint.model.workload import ServicePort


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


# -- Services without a selector: backends from EndpointSlices / Endpoints (model/endpoints.py) -----

PortList = tuple[tuple[str | None, Protocol, int], ...]  # (Service port name, protocol, backend port)
# The names controllers give their pods (the random suffix is 5 characters of [bcdfghjklmnpqrstvwxz2-9]):
# https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#ordinal-index (name-N) and
# metadata.generateName (https://kubernetes.io/docs/reference/using-api/api-concepts/#generated-values).
_POD_NAMES = {"StatefulSet": r"-\d+", "Deployment": r"-[a-z0-9]{1,10}-[a-z0-9]{5}", "CronJob": r"-\d+-[a-z0-9]{5}"}


def endpoint_sets(cluster: Cluster, svc: Service) -> list[ServiceEndpoints]:
    found = [e for e in cluster.endpoints if e.namespace == svc.namespace and e.service == svc.name]
    slices = [e for e in found if e.kind == "EndpointSlice"]
    # The control plane mirrors an Endpoints object into EndpointSlices: where both are given, the
    # slices are the current form (https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/).
    return slices or found


def owns_pod(w: Workload, namespace: str | None, pod: str) -> bool:
    """Is `pod` (a targetRef name) a pod of `w`: one of its input Pods, or a name its controller generates?"""
    if w.namespace != namespace:
        return False
    if pod in w.pods or (w.kind == "Pod" and w.name == pod):
        return True
    suffix = _POD_NAMES.get(w.kind, r"-[a-z0-9]{5}")
    return w.kind != "Pod" and re.fullmatch(re.escape(w.name) + suffix, pod) is not None


def address_owner(ev: Evaluator, a: EndpointAddress) -> int | None:
    """The workload behind an endpoint address: by targetRef, else by status.podIP; None: outside the input."""
    owners = [i for i, w in enumerate(ev.workloads)
              if a.address in w.pod_ips or a.pod is not None and owns_pod(w, a.pod_namespace, a.pod)]  # fmt: skip
    # The longest name wins: pod api-v2-0 is api-v2's, not api's.
    return max(owners, key=lambda j: len(ev.workloads[j].name)) if owners else None


def endpoint_backends(ev: Evaluator, svc: Service) -> dict[int, PortList]:
    """Workloads of the input behind a selector-less Service's ready endpoint addresses, with the
    ports the endpoints list for them."""
    out: dict[int, PortList] = {}
    for ep in endpoint_sets(ev.cluster, svc):
        ports = tuple((p.name, p.protocol, p.port) for p in ep.ports)
        for a in ep.addresses:
            owner = address_owner(ev, a) if a.ready else None
            if owner is not None:
                out[owner] = out.get(owner, ()) + ports
    return out


def endpoint_port(ports: PortList, sp: ServicePort) -> int | None:
    """The backend port an endpoint lists for Service port `sp` (matched by name, "" or unset alike)."""
    name = sp.name or None
    return next((p for n, proto, p in ports if (n or None) == name and proto is sp.protocol), None)


def members(ev: Evaluator, svc: Service) -> dict[int, PortList | None]:
    """The Service's backend workloads of the input: by selector (ports: None, the Service's
    targetPorts apply), else the pods its EndpointSlices / Endpoints name (ports: those listed).
    https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors"""
    if svc.selector:
        return dict.fromkeys(bit_indices(backends(ev, svc)))
    return dict(endpoint_backends(ev, svc))


def member_bits(ev: Evaluator, svc: Service) -> int:
    return sum(1 << b for b in members(ev, svc))


def member_port(ev: Evaluator, backend: int, listed: PortList | None, sp: ServicePort) -> int | None:
    """The pod port Service port `sp` reaches on `backend`: the endpoint's listed port (a Service
    without a selector: the EndpointSlice port is the backend's own port, its targetPort unused),
    else the targetPort resolved on the pod (None: no such port)."""
    if listed is not None:
        return endpoint_port(listed, sp)
    return target_port(ev.workloads[backend], sp.target_port, sp.port, sp.protocol)
