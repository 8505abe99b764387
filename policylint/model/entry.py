"""Ways in from outside the cluster through a proxy: Ingress, Gateway API routes, OpenShift Routes.

Services of type LoadBalancer and NodePort, externalIPs and hostPorts are read with the Service
and the workload (model/workload.py); this module holds the objects an ingress controller or a
gateway implementation turns into proxied traffic: the controller's pods connect to the backends,
so the backends' policies see the controller, not the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.findings import NO_SPAN, Span
from policylint.model.selector import LabelSelector


@dataclass(frozen=True, slots=True)
class BackendRef:
    """A Service that an entry forwards to. `port` is a Service port number or name; None: the
    only port of the Service (Route without `port`) or the route's default."""

    namespace: str
    service: str
    port: int | str | None
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class ParentRef:
    namespace: str
    name: str
    section: str | None = None  # a listener name
    port: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """An Ingress, Route, HTTPRoute, GRPCRoute or TLSRoute."""

    kind: str
    namespace: str
    name: str
    backends: tuple[BackendRef, ...]
    hostnames: tuple[str, ...] = ()
    span: Span = NO_SPAN
    ingress_class: str | None = None
    parents: tuple[ParentRef, ...] = ()  # Gateway API routes only
    # OpenShift Route spec.port.targetPort: a target port on the backend pods (number or name).
    route_target_port: int | str | None = None
    annotations: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Listener:
    name: str
    port: int
    protocol: str
    hostname: str | None = None
    allowed_from: str = "Same"  # allowedRoutes.namespaces.from: Same | All | Selector
    allowed_selector: LabelSelector | None = None
    allowed_kinds: tuple[str, ...] = ()  # empty: the kinds the protocol allows


@dataclass(frozen=True, slots=True)
class Gateway:
    namespace: str
    name: str
    listeners: tuple[Listener, ...]
    gateway_class: str = ""
    span: Span = NO_SPAN
    annotations: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class ReferenceGrant:
    """Lets objects of `from_` (kind, namespace) refer to `to` (kind, name or None) in `namespace`."""

    namespace: str
    from_: tuple[tuple[str, str], ...]
    to: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class EntryPoints:
    entries: tuple[Entry, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    grants: tuple[ReferenceGrant, ...] = ()

    def gateway(self, namespace: str, name: str) -> Gateway | None:
        return next((g for g in self.gateways if g.namespace == namespace and g.name == name), None)

    def grants_reference(self, from_kind: str, from_ns: str, to_ns: str, to_kind: str, to_name: str) -> bool:
        """A cross-namespace reference is allowed only by a ReferenceGrant in the target namespace."""
        return any(
            g.namespace == to_ns
            and (from_kind, from_ns) in g.from_
            and any(k == to_kind and (n is None or n == to_name) for k, n in g.to)
            for g in self.grants
        )


NO_ENTRIES = EntryPoints()
