"""The backends of a Service without a selector, as EndpointSlices (discovery.k8s.io/v1) and
Endpoints (v1) in the input list them.

https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors:
a Service without a selector gets its backends from EndpointSlices labelled
`kubernetes.io/service-name: <service>` (or the legacy Endpoints object of the Service's name);
each address may name the Pod behind it (`targetRef`), else it is any address (often outside
the cluster). The ports listed are the backends' own ports (what the Service port forwards to),
matched to Service ports by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.findings import NO_SPAN, Span
from policylint.model.policy import Protocol

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True, slots=True)
class EndpointPort:
    port: int
    protocol: Protocol = Protocol.TCP
    name: str | None = None  # the Service port's name it serves ("" and None alike: the only port)


@dataclass(frozen=True, slots=True)
class EndpointAddress:
    address: str  # an IP address, or a name for addressType FQDN
    pod: str | None = None  # targetRef to a Pod: its name (in `pod_namespace`)
    pod_namespace: str | None = None
    ready: bool = True  # notReadyAddresses / conditions.ready false: kube-proxy sends nothing there


@dataclass(frozen=True, slots=True)
class ServiceEndpoints:
    """One EndpointSlice, or one subset of an Endpoints object."""

    namespace: str
    service: str
    kind: str  # EndpointSlice | Endpoints
    name: str
    addresses: tuple[EndpointAddress, ...] = ()
    ports: tuple[EndpointPort, ...] = ()
    span: Span = NO_SPAN
    fqdn: bool = False  # addressType FQDN (deprecated): names, not addresses
