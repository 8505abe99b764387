"""`query --to` a Service: the Service port, translated to each backend's target port, asked of
every backend, with a per-backend answer and a summary.

The model (https://kubernetes.io/docs/concepts/services-networking/service/):
- A client connects to the Service's address on a Service `port`; kube-proxy (or the plugin's
  replacement) forwards to a backend pod on `targetPort` (a number, or a name looked up in each
  backend pod's containerPorts, so it may differ per backend). NetworkPolicy sees the backend's
  address and the target port, never the Service port
  (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
  names pod ports; the Service docs' "Defining a Service" explains the translation).
- Backends: the pods the selector matches in the Service's namespace; a Service without a
  selector takes its backends from EndpointSlices labelled `kubernetes.io/service-name` (or its
  Endpoints object): an address with a Pod `targetRef` is that pod, an address without one is an
  address like any outside the cluster. EndpointSlice ports are the backends' own ports, matched
  to Service ports by name ("services-without-selectors").
- Headless Services (`clusterIP: None`) are not proxied: DNS answers with the pods' addresses
  and clients connect to them directly; DNS SRV records give the backends' ports, which are the
  target ports, so the same translation holds for a client that follows them
  (https://kubernetes.io/docs/concepts/services-networking/service/#headless-services).
- ExternalName Services have no backends: DNS aliases another name
  (https://kubernetes.io/docs/concepts/services-networking/service/#externalname).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.model import Protocol, Service, Workload
from policylint.model.cluster import Cluster
from policylint.model.endpoints import EndpointAddress
from policylint.model.workload import ServicePort
from policylint.queries.endpoints import EndpointError, EndpointSpec, closest
from policylint.queries.reach import Answer, reach
from policylint.queries.services import PortList, address_owner, endpoint_port, endpoint_sets, target_port
from policylint.queries.services import backends as selected_backends

if TYPE_CHECKING:
    from policylint.engine.smt import SmtEngine

Smt = Callable[[], "SmtEngine | None"]  # built on first use

_SVC_WORDS = ("svc", "service", "services")
_NAME = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_KIND_FIRST = re.compile(rf"^(?:{'|'.join(_SVC_WORDS)})/(?:(?P<ns>{_NAME})/)?(?P<name>{_NAME})$", re.IGNORECASE)
_NS_FIRST = re.compile(rf"^(?P<ns>{_NAME})/(?:{'|'.join(_SVC_WORDS)})/(?P<name>{_NAME})$", re.IGNORECASE)
# NAME.NS, NAME.NS.svc, NAME.NS.svc.<cluster domain> (cluster.local unless the cluster says otherwise).
_DNS = re.compile(rf"^(?P<name>{_NAME})\.(?P<ns>{_NAME})(?:\.svc(?:\.{_NAME})*)?\.?$")


@dataclass(frozen=True, slots=True)
class ServiceRef:
    namespace: str | None  # None: the default namespace
    name: str
    text: str
    port: str | None = None  # NAME.NS...:PORT, as a client dials it


_HOST_PORT = re.compile(r"^(?P<host>[^/:\s]+\.[^/:\s]+):(?P<port>\d{1,5}|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$")


def parse_service_ref(text: str) -> ServiceRef | None:
    """A Service endpoint form, or None: svc/NS/NAME, svc/NAME, NS/svc/NAME, NAME.NS[.svc[.cluster.local]],
    the DNS forms also with `:PORT` (a dotted name is no namespace, so it is not the NS:SELECTOR form)."""
    text = text.strip()
    m = _KIND_FIRST.match(text) or _NS_FIRST.match(text)
    if m:
        return ServiceRef(m.group("ns"), m.group("name"), text)
    dialled = _HOST_PORT.match(text)
    if dialled:
        ref = parse_service_ref(dialled.group("host"))
        return ServiceRef(ref.namespace, ref.name, text, dialled.group("port")) if ref else None
    if "/" in text or ":" in text:
        return None
    try:
        ipaddress.ip_address(text)
        return None  # 10.0.0.1 is an address, not NAME.NS
    except ValueError:
        pass
    m = _DNS.match(text.lower())
    return ServiceRef(m.group("ns"), m.group("name"), text) if m else None


def service_ref(cluster: Cluster, text: str) -> ServiceRef | None:
    """`parse_service_ref`, except that `svc/NAME` stays a workload of namespace `svc` where the
    input has a namespace of that name (the workload form ns/name came first)."""
    ref = parse_service_ref(text)
    word = text.strip().split("/", 1)[0]
    if ref is not None and ref.namespace is None and text.count("/") == 1 and word in cluster.namespace_index:
        return None
    return ref


def find_service(cluster: Cluster, ref: ServiceRef, namespace: str) -> Service:
    ns = ref.namespace or namespace
    for svc in cluster.services:
        if svc.namespace == ns and svc.name == ref.name:
            if svc.type == "ExternalName":
                raise EndpointError(f"Service {svc.ref} is of type ExternalName (a DNS alias of "
                                    f"{svc.external_name or 'another name'}): it has no backends; query the "
                                    "addresses that name resolves to")  # fmt: skip
            return svc
    known = [s.ref for s in cluster.services]
    raise EndpointError(f"no Service {ns}/{ref.name} in the input" + closest(f"{ns}/{ref.name}", known))


@dataclass(frozen=True, slots=True)
class Backend:
    label: str  # a workload's ref, or an address
    workload: int | None  # index in the evaluator; None: an address outside the pods of the input
    address: str | None = None
    via: str = "selector"  # selector | EndpointSlice NS/NAME | Endpoints NS/NAME
    endpoint_ports: PortList = ()  # (Service port name, protocol, port) from the endpoints


def endpoint_networks(cluster: Cluster, svc: Service) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Addresses of a selector-less Service's endpoints, so the address space is cut at them."""
    out = []
    for ep in endpoint_sets(cluster, svc):
        for a in ep.addresses:
            try:
                out.append(ipaddress.ip_network(a.address))
            except ValueError:
                continue
    return out


def service_backends(ev: Evaluator, cluster: Cluster, svc: Service, notes: list[str]) -> list[Backend]:
    if svc.selector:
        return [Backend(ev.workloads[i].ref, i) for i in bit_indices(selected_backends(ev, svc))]
    sets = endpoint_sets(cluster, svc)
    if not sets:
        notes.append(f"Service {svc.ref} has no selector and the input has no EndpointSlice (label "
                     f"kubernetes.io/service-name: {svc.name}) or Endpoints for it: no backends known")  # fmt: skip
        return []
    out: dict[str, Backend] = {}
    for ep in sets:
        where = f"{ep.kind} {ep.namespace}/{ep.name}"
        if ep.fqdn:
            notes.append(f"{where} lists FQDN addresses (deprecated): names are not modelled, left out")
            continue
        ports: PortList = tuple((p.name, p.protocol, p.port) for p in ep.ports)
        for a in ep.addresses:
            if not a.ready:
                notes.append(f"{where}: {a.address} is not ready; the Service sends it nothing, left out")
                continue
            b = _address_backend(ev, a, where, ports)
            key = b.label
            if key in out:  # one pod in several slices (one per port set): its ports add up
                b = Backend(b.label, b.workload, b.address, b.via, out[key].endpoint_ports + ports)
            out[key] = b
    return list(out.values())


def _address_backend(ev: Evaluator, a: EndpointAddress, where: str, ports: PortList) -> Backend:
    owner = address_owner(ev, a)
    if owner is not None:
        return Backend(ev.workloads[owner].ref, owner, a.address, where, ports)
    label = a.address + (f" (Pod {a.pod_namespace}/{a.pod}, not in the input)" if a.pod else "")
    return Backend(label, None, a.address, where, ports)


def chosen_ports(svc: Service, text: str | None, targets: dict[int, ServicePort] | None = None) -> list[ServicePort]:
    """The Service ports `--port` names: numbers (a number alone matches any protocol), names,
    `53/UDP`, a bare protocol, ranges, lists; every port when None."""
    if text is None or not text.strip():
        return list(svc.ports)
    out: list[ServicePort] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        body, _, proto_text = part.partition("/")
        proto = _protocol(proto_text) if proto_text else None
        if not proto_text and body.upper() in Protocol.__members__:
            body, proto = "", Protocol[body.upper()]
        lo_text, dash, hi_text = body.partition("-")
        numeric = lo_text.isdigit() and (not dash or hi_text.isdigit())
        for sp in svc.ports:
            if proto is not None and sp.protocol is not proto:
                continue
            hit = (not body or (int(lo_text) <= sp.port <= int(hi_text if dash else lo_text) if numeric
                                else sp.name == body))  # fmt: skip
            if hit and sp not in out:
                out.append(sp)
    if not out:
        raise EndpointError(_no_port(svc, text, targets or {}))
    return out


def _protocol(text: str) -> Protocol:
    try:
        return Protocol[text.strip().upper()]
    except KeyError:
        raise EndpointError(f"unknown protocol {text!r}: use TCP, UDP or SCTP") from None


def _no_port(svc: Service, text: str, targets: dict[int, ServicePort]) -> str:
    ports = ", ".join(port_text(sp) for sp in svc.ports) or "none"
    msg = f"--port {text}: Service {svc.ref} has no such port (its ports: {ports})"
    body = text.split("/")[0].strip()
    hit = targets.get(int(body)) if body.isdigit() else None
    if hit is not None:  # the commonest slip: the pod port where the Service port is meant
        msg += f"; {body} is the target port of Service port {port_text(hit)}, and --port takes the Service port"
    return msg


def port_text(sp: ServicePort) -> str:
    return f"{sp.port}/{sp.protocol.value}" + (f" ({sp.name})" if sp.name else "")


def translate(ev: Evaluator, backend: Backend, sp: ServicePort) -> int | None:
    """The port on `backend` that Service port `sp` reaches (None: that backend serves no such port)."""
    if backend.endpoint_ports:
        return endpoint_port(backend.endpoint_ports, sp)
    if backend.workload is None:
        return None
    return target_port(ev.workloads[backend.workload], sp.target_port, sp.port, sp.protocol)


@dataclass(slots=True)
class PortAnswer:
    service_port: ServicePort
    target: int | None  # None: the backend has no such port (a named targetPort it does not define)
    admitted: bool


@dataclass(slots=True)
class BackendAnswer:
    backend: Backend
    ports: list[PortAnswer]
    answer: Answer | None  # None: no port of the query reaches this backend
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        hits = [p.admitted for p in self.ports]
        return "ALLOWED" if hits and all(hits) else "PARTIAL" if any(hits) else "BLOCKED"


@dataclass(frozen=True, slots=True)
class BeyondInput:
    """z3's word on pods outside the input (`--from any`; queries/service_outside.py)."""

    reachable: bool | None  # True: such a pod reaches some backend; False: proved none does; None: unknown
    backends: list[str]  # the backends such a pod reaches
    example: str | None = None  # one such pod and where it gets in
    undecided: str = ""  # why z3 could not answer (for some backend or port)

    @property
    def text(self) -> str:
        if self.reachable:
            return (f"beyond the input's workloads, pods that could exist reach {len(self.backends)} backend(s) too "
                    "(z3)" + (f", e.g. {self.example}" if self.example else ""))  # fmt: skip
        if self.reachable is False:
            return "no pod outside the input could reach a backend on these ports either (proved by z3)"
        return f"not checked for pods outside the input ({self.undecided}): the answer is about the input's pods"


@dataclass(slots=True)
class ServiceAnswer:
    src: EndpointSpec
    service: Service
    text: str  # the --to text
    port_text: str | None
    backends: list[BackendAnswer]
    notes: list[str] = field(default_factory=list)
    outside: BeyondInput | None = None  # `--from any`: z3 asked about pods outside the input

    @property
    def admitting(self) -> int:
        return sum(b.verdict == "ALLOWED" for b in self.backends)

    @property
    def verdict(self) -> str:
        """ALLOWED: every backend admits every asked port; BLOCKED: none admits any; else PARTIAL."""
        if not self.backends:
            return "NO BACKENDS"
        verdicts = {b.verdict for b in self.backends}
        return verdicts.pop() if len(verdicts) == 1 else "PARTIAL"

    @property
    def allowed(self) -> bool:
        return self.verdict == "ALLOWED"

    @property
    def undecided(self) -> list[str]:
        return [u for b in self.backends if b.answer is not None for u in b.answer.undecided]

    def asked(self) -> str:
        if self.port_text is None:
            return "every Service port"
        ports = {port_text(p.service_port) for b in self.backends for p in b.ports} or {self.port_text}
        return "Service port " + ", ".join(sorted(ports))

    @property
    def summary(self) -> str:
        return f"{self.admitting} of {len(self.backends)} backends admit {self.src.text} on {self.asked()}"


def answer_service(ev: Evaluator, cluster: Cluster, src: EndpointSpec, svc: Service, text: str,
                   port: str | None, smt: Smt | None = None) -> ServiceAnswer:  # fmt: skip
    """`smt`: the solver for `--from any` (is a pod outside the input let in?); None: not asked."""
    notes: list[str] = []
    if svc.headless:
        notes.append(f"Service {svc.ref} is headless (clusterIP: None): no proxy; clients connect to the "
                     "pods' addresses, and the port is the backends' own (targetPort, as DNS SRV records give it)")
    notes.extend(unmodelled(svc))
    found = service_backends(ev, cluster, svc, notes)
    targets = {tp: sp for b in found for sp in svc.ports for tp in [translate(ev, b, sp)] if tp is not None}
    ports = chosen_ports(svc, port, targets)
    out = ServiceAnswer(src, svc, text, port, [], notes)
    for b in found:
        out.backends.append(_backend_answer(ev, src, svc, b, ports))
    if src.symbolic:
        from policylint.queries.service_outside import asks_any, beyond_input  # z3 only when asked

        if smt is not None and asks_any(out):
            out.outside = beyond_input(out, smt, ev)
            notes.append(out.outside.text)
        else:
            notes.append(symbolic_note(src))
    return out


def unmodelled(svc: Service) -> list[str]:
    """Notes for the settings that choose which backend a client reaches: the answer is per backend,
    as if every client could reach every backend."""
    out = []
    if svc.internal_traffic_policy == "Local":
        out.append(f"Service {svc.ref} has internalTrafficPolicy: Local: a client reaches only the backends on its "
                   "own node (none elsewhere); not modelled, every backend is asked as if reachable")  # fmt: skip
    if svc.session_affinity == "ClientIP":
        out.append(f"Service {svc.ref} has sessionAffinity: ClientIP: a client sticks to one backend; not modelled, "
                   "every backend is asked")  # fmt: skip
    return out


def symbolic_note(src: EndpointSpec) -> str:
    return (f"{src.text} is asked for the workloads of the input only: pods it could also match "
            "are not asked of the solver for a Service destination")  # fmt: skip


def _backend_answer(ev: Evaluator, src: EndpointSpec, svc: Service, b: Backend,
                    ports: list[ServicePort]) -> BackendAnswer:  # fmt: skip
    spec = _backend_spec(b)
    want = NONE
    targets: list[tuple[ServicePort, int | None]] = []
    for sp in ports:
        tp = translate(ev, b, sp)
        targets.append((sp, tp))
        if tp is not None:
            want = want | ConnSet.single(sp.protocol, tp)
    if not want:
        notes = [_unserved(ev, b, sp) for sp, _ in targets]
        return BackendAnswer(b, [PortAnswer(sp, tp, False) for sp, tp in targets], None, notes)
    answer = reach(ev, src, spec, want)
    admitted = answer.conns & want if answer.egress is not None or answer.ingress is not None else answer.conns
    result = BackendAnswer(b, [], answer)
    for sp, tp in targets:
        ok = tp is not None and admitted.contains(sp.protocol, tp)
        result.ports.append(PortAnswer(sp, tp, ok))
        if tp is None:
            result.notes.append(_unserved(ev, b, sp))
        elif tp != sp.port:
            result.notes.extend(_service_port_slip(ev, src, spec, sp, tp, ok))
    return result


def _backend_spec(b: Backend) -> EndpointSpec:
    if b.workload is not None:
        return EndpointSpec(b.label, 1 << b.workload, single=True)
    assert b.address is not None
    return EndpointSpec(b.address, 0, network=ipaddress.ip_network(b.address))


def _unserved(ev: Evaluator, b: Backend, sp: ServicePort) -> str:
    if b.endpoint_ports:
        return f"{b.via} lists no port named {sp.name or '(unnamed)'}/{sp.protocol.value} for Service port {sp.port}"
    w: Workload | None = ev.workloads[b.workload] if b.workload is not None else None
    what = f"{w.ref} has" if w is not None else f"{b.label} has"
    return (f"{what} no {sp.protocol.value} container port named {sp.target_port!r}: Service port {sp.port} "
            "forwards nothing to it")  # fmt: skip


def _service_port_slip(ev: Evaluator, src: EndpointSpec, spec: EndpointSpec, sp: ServicePort, tp: int,
                       ok: bool) -> list[str]:  # fmt: skip
    """Where the Service port and target port differ and policies treat them differently, say why:
    policies see the target port (people write the Service port in policies by mistake)."""
    on_service_port = reach(ev, src, spec, ConnSet.single(sp.protocol, sp.port)).conns.contains(sp.protocol, sp.port)
    proto = sp.protocol.value
    if ok and not on_service_port:
        return [f"no policy admits {proto} {sp.port} (the Service port), but the target port {tp} is admitted: the "
                f"Service translates {sp.port} -> {tp} and policies see {tp}"]  # fmt: skip
    if not ok and on_service_port:
        return [f"{proto} {sp.port} (the Service port) is admitted, but the Service forwards to target port {tp}, "
                f"which is what policies see: admit {tp}" + (f" (or the port's name {sp.target_port!r})"
                                                            if isinstance(sp.target_port, str) else "")]  # fmt: skip
    return []


def source_of_service(ev: Evaluator, cluster: Cluster, svc: Service, text: str) -> tuple[EndpointSpec, str]:
    """A Service as --from: it sends nothing itself; its backends are the senders (the note says so)."""
    notes: list[str] = []
    found = [b for b in service_backends(ev, cluster, svc, notes) if b.workload is not None]
    if not found:
        raise EndpointError(f"--from {text}: a Service is not a source, and Service {svc.ref} has no backend pods "
                            "in the input to stand for it")  # fmt: skip
    bits = 0
    for b in found:
        bits |= 1 << (b.workload or 0)
    names = ", ".join(b.label for b in found)
    note = (f"a Service is not a source (connections come from pods, with their own addresses): --from {text} "
            f"means its backends: {names}")  # fmt: skip
    single = len(found) == 1
    return EndpointSpec(text, bits, single=single), note
