"""What can be reached from outside the cluster, through which entry, on which target ports.

Entries: LoadBalancer and NodePort Services, Service externalIPs, hostPorts, host-network pods,
and proxied entries (Ingress, Gateway API routes, OpenShift Routes) whose traffic reaches the
backends from the ingress controller's pods. Every answer goes through the engine (all tiers),
so a policy that blocks an entry shows up as blocked ports, not as a missing line.

The model's assumptions (stated in every answer, changeable by options):
- NodePorts, externalIPs, hostPorts and host-network pods are reachable from anywhere (0.0.0.0/0,
  ::/0): the node firewall is not in the manifests. A host-network pod listens on the container
  ports it declares (containerPort is informational in the Pod API).
- `externalTrafficPolicy: Cluster` (the default): kube-proxy SNATs clients to a node address, so
  the backend's ingress rules see a node address. With `node_cidrs` given, those decide; without,
  only a rule admitting every IPv4 address admits the traffic. `Local`: the client address.
- One ingress controller serves every Ingress class and Gateway (``Controller``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from policylint.engine.bitset import bit_indices
from policylint.engine.cidr import Atom
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.engine.flow import Assumptions
from policylint.findings import NO_SPAN, Span
from policylint.model import LabelSelector, Protocol, Service, Workload
from policylint.model.cluster import Cluster
from policylint.model.entry import BackendRef, Entry, Gateway, Listener
from policylint.model.policy import IPBlock
from policylint.model.workload import Namespace, ServicePort
from policylint.queries.services import PortList, backends, endpoint_port, members, target_port

EVERYWHERE = ("0.0.0.0/0", "::/0")
DEFAULT_CONTROLLER_NAMESPACE = "ingress-controller-ns"  # netpol-analyzer's model of the controller
CONTROLLER_NAME = "{ingress-controller}"
# Labels by which well-known ingress controllers and gateways are recognised in the input.
KNOWN_CONTROLLERS = {
    "app.kubernetes.io/name": ("ingress-nginx", "traefik", "contour", "envoy", "haproxy-ingress", "kong",
                               "nginx-ingress", "emissary-ingress", "envoy-gateway", "istio-ingressgateway"),
    "app": ("ingress-nginx", "traefik", "contour", "envoy", "kong", "nginx-ingress", "istio-ingressgateway",
            "haproxy-ingress"),
}  # fmt: skip
DNS_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname"


@dataclass(frozen=True, slots=True)
class Controller:
    """Where proxied traffic comes from: a namespace and a selector of its pods."""

    namespace: str
    selector: LabelSelector = LabelSelector()
    configured: bool = False


@dataclass(frozen=True, slots=True)
class EntryRef:
    kind: str  # Service, Ingress, Route, HTTPRoute, GRPCRoute, TLSRoute, HostPort, HostNetwork
    namespace: str
    name: str
    service_type: str | None = None
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Exposure:
    workload: Workload
    entry: EntryRef
    sources: tuple[str, ...]  # client address ranges that can open the connection
    conns: ConnSet  # target ports on the workload's pods reached through the entry
    blocked: ConnSet = NONE  # target ports the entry forwards to that policies block
    hostnames: tuple[str, ...] = ()
    via: str = ""  # the hop that carries the traffic to the pods, as users read it
    service_ports: tuple[int, ...] = ()  # the ports clients connect to (Service/nodePort/listener)
    span: Span = NO_SPAN  # where the hop is written: the backend reference, the Service port


@dataclass(slots=True)
class ExposureReport:
    exposures: list[Exposure] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be followed (a missing Service...)


def exposure(cluster: Cluster, assumptions: Assumptions | None = None, *, controller: Controller | None = None,
             node_cidrs: Sequence[str] = ()) -> ExposureReport:  # fmt: skip
    """Every way in from outside and what it reaches, after every policy tier."""
    report = ExposureReport()
    nodes = _networks(node_cidrs)
    ranges = _networks([s for svc in cluster.services for s in svc.load_balancer_source_ranges])
    ev = Evaluator(cluster, assumptions, nodes + ranges + _networks(EVERYWHERE))
    _services(ev, cluster, nodes, report)
    _host_ports(ev, report)
    if cluster.entries.entries:
        ctrl = controller or find_controller(cluster) or Controller(DEFAULT_CONTROLLER_NAMESPACE)
        _proxied(cluster, assumptions, ctrl, nodes + ranges, report)
    report.exposures.sort(key=lambda e: (e.workload.namespace, e.workload.name, e.entry.kind, e.entry.namespace,
                                         e.entry.name, e.sources))  # fmt: skip
    return report


def _networks(texts: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for t in texts:
        try:
            out.append(ipaddress.ip_network(t.strip(), strict=False))
        except ValueError:
            continue
    return out


# -- Services: LoadBalancer, NodePort, externalIPs ------------------------------------------------


def _service_sources(svc: Service) -> tuple[str, ...]:
    if svc.type == "LoadBalancer" and svc.load_balancer_source_ranges:
        return svc.load_balancer_source_ranges
    return EVERYWHERE


def _is_entry(svc: Service) -> bool:
    return svc.type in ("LoadBalancer", "NodePort") or bool(svc.external_ips)


def _services(ev: Evaluator, cluster: Cluster, nodes: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
              report: ExposureReport) -> None:  # fmt: skip
    exposed = [s for s in cluster.services if _is_entry(s)]
    if any(s.external_traffic_policy != "Local" for s in exposed if s.type in ("LoadBalancer", "NodePort")):
        unset = "not given (--node-cidr, or exposure.node_cidrs in .policylint.yaml)"
        where = ", ".join(str(n) for n in nodes) if nodes else unset
        report.assumptions.append(
            "externalTrafficPolicy: Cluster forwards clients from a node address (SNAT), so backends see a node "
            f"address, not the client's; node address ranges: {where}"
        )
    if any(s.type == "NodePort" or s.external_ips for s in exposed):
        report.assumptions.append("NodePorts and externalIPs are reachable from anywhere (0.0.0.0/0, ::/0): "
                                  "node firewalls are not in the manifests")  # fmt: skip
    for svc in exposed:
        sources = _service_sources(svc)
        kind = svc.type if svc.type in ("LoadBalancer", "NodePort") else None
        ref = EntryRef("Service", svc.namespace, svc.name, kind, svc.span)
        hosts = _hostnames(svc.annotations)
        local = svc.external_traffic_policy == "Local"
        for b, listed in members(ev, svc).items():
            pod = ev.workloads[b]
            forwarded, ports = _forwarded(pod, svc, None, listed)
            if not forwarded:
                continue
            client_ports = tuple(sorted({p.node_port or p.port if svc.type == "NodePort" else p.port
                                         for p in svc.ports if p.port in ports}))  # fmt: skip
            if local or kind is None:
                groups = _by_client(ev, b, sources, forwarded)
            else:
                groups = [(sources, _through_nodes(ev, b, nodes, forwarded))]
            for srcs, conns in groups:
                via = "client address (externalTrafficPolicy: Local)" if local or kind is None else "a node address"
                at = svc.type_span or svc.span
                exp = Exposure(pod, ref, srcs, conns, forwarded - conns, hosts, via, client_ports, at)
                report.exposures.append(exp)


def _forwarded(pod: Workload, svc: Service, port: int | str | None,
               listed: PortList | None = None) -> tuple[ConnSet, set[int]]:  # fmt: skip
    """Target ports on `pod` of the Service ports matching `port` (None: every port); `listed`:
    the pod's ports as endpoints list them (a Service without a selector)."""
    conns = NONE
    matched: set[int] = set()
    for sp in svc.ports:
        if port is not None and port != sp.port and port != sp.name:
            continue
        tp = endpoint_port(listed, sp) if listed is not None else target_port(pod, sp.target_port, sp.port, sp.protocol)
        if tp is not None:
            conns = conns | ConnSet.single(sp.protocol, tp)
            matched.add(sp.port)
    return conns, matched


Groups = list[tuple[tuple[str, ...], ConnSet]]


def _address(atom: Atom) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return (ipaddress.IPv4Address if atom.family == 4 else ipaddress.IPv6Address)(atom.first)


def _by_client(ev: Evaluator, dst: int, sources: Sequence[str], forwarded: ConnSet) -> Groups:
    """Client ranges grouped by what they reach (the pod sees the client address)."""
    atoms = 0
    for net in _networks(sources):
        atoms |= ev.space.block_atoms(IPBlock(str(net), network=net))
    by_conns: dict[ConnSet, int] = {}
    for a in bit_indices(atoms):
        conns = ev.allowed_conns(_address(ev.space.atoms[a]), dst) & forwarded
        by_conns[conns] = by_conns.get(conns, 0) | (1 << a)
    out = [(tuple(ev.space.cidrs(bits)), conns) for conns, bits in by_conns.items() if conns]
    if not out:
        return [(tuple(sources), NONE)]
    return sorted(out, key=lambda x: x[0])


def _through_nodes(ev: Evaluator, dst: int, nodes: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network],
                   forwarded: ConnSet) -> ConnSet:  # fmt: skip
    """What a node address may open to `dst`: any configured node range, else only what every IPv4
    address may open (a node address is somewhere in IPv4, but where is not in the manifests)."""
    space = ev.space
    if nodes:
        bits = 0
        for net in nodes:
            bits |= space.block_atoms(IPBlock(str(net), network=net))
        result = NONE
        for a in bit_indices(bits):
            result = result | ev.allowed_conns(_address(space.atoms[a]), dst)
        return result & forwarded
    result = forwarded
    for atom in space.atoms:
        if atom.family == 4:
            result = result & ev.allowed_conns(ipaddress.IPv4Address(atom.first), dst)
    return result


def _hostnames(annotations: dict[str, str]) -> tuple[str, ...]:
    raw = annotations.get(DNS_ANNOTATION, "")
    return tuple(h.strip() for h in raw.split(",") if h.strip())


# -- hostPort and host network ---------------------------------------------------------------------


def _host_ports(ev: Evaluator, report: ExposureReport) -> None:
    for i, pod in enumerate(ev.workloads):
        if pod.host_network:
            conns = NONE
            for p in pod.ports:
                conns = conns | ConnSet.single(p.protocol, p.port)
            if conns:
                ref = EntryRef("HostNetwork", pod.namespace, pod.name, None, pod.span)
                # An address no policy names stands for "anyone": the node's own ports see the client.
                reached = ev.allowed_conns(_address(ev.space.atoms[-1]), i) & conns
                via = "the node's own address (hostNetwork)"
                exp = Exposure(pod, ref, EVERYWHERE, reached, conns - reached, via=via, span=pod.span)
                report.exposures.append(exp)
            continue
        for p in pod.ports:
            if p.host_port is None:
                continue
            forwarded = ConnSet.single(p.protocol, p.port)
            ref = EntryRef("HostPort", pod.namespace, pod.name, None, p.span)
            for srcs, conns in _by_client(ev, i, EVERYWHERE, forwarded):
                via = "client address (hostPort)"
                report.exposures.append(Exposure(pod, ref, srcs, conns, forwarded - conns, (), via, (p.host_port,),
                                                 p.span))  # fmt: skip
    kinds = {e.entry.kind for e in report.exposures}
    if "HostNetwork" in kinds or "HostPort" in kinds:
        report.assumptions.append("host-network pods and hostPorts are reachable from anywhere (0.0.0.0/0, ::/0): "
                                  "node firewalls are not in the manifests")  # fmt: skip
    if "HostNetwork" in kinds:
        # containerPort is "primarily informational" (Pod API, ContainerPort): a host-network
        # process may listen on more ports than it declares.
        report.assumptions.append("host-network pods listen only on the container ports they declare "
                                  "(containerPort is informational; undeclared ports are not shown)")  # fmt: skip


# -- proxied entries: Ingress, Gateway API routes, Routes -----------------------------------------


def find_controller(cluster: Cluster) -> Controller | None:
    """A well-known ingress controller or gateway among the input's workloads."""
    for w in cluster.workloads:
        for key, names in KNOWN_CONTROLLERS.items():
            if w.labels.get(key) in names:
                return Controller(w.namespace, LabelSelector(((key, w.labels[key]),)))
    return None


def _with_controller(cluster: Cluster, ctrl: Controller) -> tuple[Cluster, list[int], bool]:
    """The cluster with the controller's pods: those of the input it selects, else one synthetic
    pod with exactly the selector's labels in a namespace carrying only its name label."""
    from policylint.engine.selectors import matches

    ns = cluster.namespace_index.get(ctrl.namespace)
    found = [i for i, w in enumerate(cluster.workloads)
             if w.namespace == ctrl.namespace and ns is not None and matches(ctrl.selector, w.labels)]  # fmt: skip
    if found:
        return cluster, found, False
    labels = dict(ctrl.selector.match_labels)
    pod = Workload(ctrl.namespace, CONTROLLER_NAME, "IngressController", labels)
    namespaces = list(cluster.namespaces) + ([] if ns else [Namespace(ctrl.namespace)])
    grown = Cluster.of(namespaces, list(cluster.workloads) + [pod], cluster.services, cluster.policies,
                       cluster.tiers, cluster.entries, cluster.callers, cluster.endpoints)  # fmt: skip
    return grown, [len(cluster.workloads)], True


def _proxied(cluster: Cluster, assumptions: Assumptions | None, ctrl: Controller,
             extra: list[ipaddress.IPv4Network | ipaddress.IPv6Network], report: ExposureReport) -> None:  # fmt: skip
    grown, ctrl_pods, synthetic = _with_controller(cluster, ctrl)
    ev = Evaluator(grown, assumptions, extra)
    where = f"namespace {ctrl.namespace}" + (f", pods {ctrl.selector}" if not ctrl.selector.is_empty else "")
    if synthetic:
        how = "as configured" if ctrl.configured else (
            "assumed: none found in the input; set it with --ingress-controller or exposure.ingress_controller")
        report.assumptions.append(f"the ingress controller is a pod in {where} ({how})")
    else:
        names = ", ".join(f"{ev.workloads[i].namespace}/{ev.workloads[i].name}" for i in ctrl_pods)
        report.assumptions.append(f"the ingress controller is {names}; it serves every Ingress class and Gateway")
    sources = _controller_sources(grown, ev, ctrl_pods)
    for entry in cluster.entries.entries:
        hosts = tuple(dict.fromkeys(entry.hostnames + _hostnames(entry.annotations)))
        refs = _entry_backends(cluster, entry, report)
        if entry.kind in ("HTTPRoute", "GRPCRoute", "TLSRoute"):
            listeners = _attached_listeners(cluster, entry, report)
            if not listeners:
                continue
            hosts = hosts or tuple(h for _, lst in listeners for h in [lst.hostname] if h)
        ref = EntryRef(entry.kind, entry.namespace, entry.name, None, entry.span)
        for backend in refs:
            svc = next((s for s in grown.services if s.namespace == backend.namespace and s.name == backend.service),
                       None)  # fmt: skip
            if svc is None:
                report.notes.append(f"{entry.kind} {entry.namespace}/{entry.name}: Service "
                                    f"{backend.namespace}/{backend.service} is not in the input")  # fmt: skip
                continue
            backend = _ingress_port_fallback(entry, backend, svc, report)
            for b, listed in members(ev, svc).items():
                pod = ev.workloads[b]
                forwarded = _route_forwarded(pod, svc, entry, backend, listed)
                if not forwarded:
                    continue
                conns = NONE
                for c in ctrl_pods:
                    conns = conns | ev.allowed_conns(c, b)
                conns = conns & forwarded
                report.exposures.append(Exposure(pod, ref, sources, conns, forwarded - conns, hosts,
                                                 f"the ingress controller ({where})", (), backend.span))  # fmt: skip


def target_port_slip(svc: Service, port: int | str | None) -> ServicePort | None:
    """The Service port whose targetPort an Ingress backend port names, when it names no Service
    port (number or name) itself; None otherwise."""
    if port is None or any(port in (sp.port, sp.name) for sp in svc.ports):
        return None
    return next((sp for sp in svc.ports if sp.target_port == port), None)


def _ingress_port_fallback(entry: Entry, backend: BackendRef, svc: Service, report: ExposureReport) -> BackendRef:
    """An Ingress backend port (number or name) that is no port of the Service but is the targetPort
    of one: the Ingress API says it names a Service port (so it routes nothing), but ingress-nginx
    matches target ports too (controller.go, serviceEndpoints: `servicePort.TargetPort.String() ==
    backendPort`), and netpol-analyzer follows ingress-nginx. Routed, and said so."""
    wanted = backend.port
    hit = target_port_slip(svc, wanted) if entry.kind == "Ingress" else None
    if hit is None:
        return backend
    report.notes.append(
        f"Ingress {entry.namespace}/{entry.name}: backend port {wanted} is no port of Service {svc.ref} but its "
        f"targetPort; routed to it as ingress-nginx does (the Ingress API means a Service port, {hit.port}; "
        "other controllers route nothing there)"
    )
    return replace(backend, port=hit.port)


def _route_forwarded(pod: Workload, svc: Service, entry: Entry, backend: BackendRef,
                     listed: PortList | None = None) -> ConnSet:  # fmt: skip
    if entry.kind == "Route" and entry.route_target_port is not None:
        tp = entry.route_target_port
        if isinstance(tp, int):
            return ConnSet.single(Protocol.TCP, tp)
        # A name: the Service port of that name (the endpoints' port names are the Service's).
        return _forwarded(pod, svc, tp, listed)[0]
    conns, _ = _forwarded(pod, svc, backend.port, listed)
    tcp = conns.get(Protocol.TCP)
    return ConnSet({Protocol.TCP: tcp}) if tcp else NONE  # proxies speak TCP to the backends


def _entry_backends(cluster: Cluster, entry: Entry, report: ExposureReport) -> list[BackendRef]:
    out = []
    for b in entry.backends:
        if b.namespace != entry.namespace and not cluster.entries.grants_reference(
            entry.kind, entry.namespace, b.namespace, "Service", b.service
        ):
            report.notes.append(f"{entry.kind} {entry.namespace}/{entry.name}: backend {b.namespace}/{b.service} "
                                "is in another namespace without a ReferenceGrant there; not routed")  # fmt: skip
            continue
        out.append(b)
    return out


def _attached_listeners(cluster: Cluster, entry: Entry, report: ExposureReport) -> list[tuple[Gateway, Listener]]:
    """The Gateway listeners that accept the route (parentRefs, allowedRoutes)."""
    from policylint.engine.selectors import matches

    out = []
    for parent in entry.parents:
        gw = cluster.entries.gateway(parent.namespace, parent.name)
        if gw is None:
            report.notes.append(f"{entry.kind} {entry.namespace}/{entry.name}: Gateway {parent.namespace}/"
                                f"{parent.name} is not in the input")  # fmt: skip
            continue
        for lst in gw.listeners:
            if parent.section and lst.name != parent.section or parent.port and lst.port != parent.port:
                continue
            if lst.allowed_kinds and entry.kind not in lst.allowed_kinds:
                continue
            ns = cluster.namespace_index.get(entry.namespace)
            if lst.allowed_from == "Same" and entry.namespace != gw.namespace:
                continue
            if lst.allowed_from == "Selector" and (
                lst.allowed_selector is None or ns is None or not matches(lst.allowed_selector, ns.labels)
            ):
                continue
            if lst.allowed_from not in ("Same", "All", "Selector"):
                continue
            out.append((gw, lst))
    if entry.parents and not out:
        report.notes.append(f"{entry.kind} {entry.namespace}/{entry.name}: no listener of its Gateways accepts it")
    return out


def _controller_sources(cluster: Cluster, ev: Evaluator, ctrl_pods: list[int]) -> tuple[str, ...]:
    """Who can reach the controller: the ranges of a LoadBalancer Service in front of it, else anywhere."""
    for svc in cluster.services:
        if _is_entry(svc) and any((backends(ev, svc) >> i) & 1 for i in ctrl_pods):
            return _service_sources(svc)
    return EVERYWHERE


SHARED_KEY = "queries.exposure"


def with_controller_option(text: str | None) -> Controller | None:
    """`NAMESPACE[:SELECTOR]` as --ingress-controller takes it (selector: k=v,k2=v2)."""
    if not text:
        return None
    namespace, _, sel = text.partition(":")
    pairs = tuple(sorted(tuple(p.split("=", 1)) for p in sel.split(",") if "=" in p))
    return replace(Controller(namespace.strip()), selector=LabelSelector(pairs), configured=True)  # type: ignore[arg-type]
