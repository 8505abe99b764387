"""EndpointSlice (discovery.k8s.io/v1) and Endpoints (v1) -> ServiceEndpoints, read leniently:
an unreadable address or port is an NP002 problem and is left out (fewer backends, never more)."""

from __future__ import annotations

from collections.abc import Callable

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_meta import Meta
from policylint.model.build_ports import protocol_of
from policylint.model.endpoints import SERVICE_NAME_LABEL, EndpointAddress, EndpointPort, ServiceEndpoints


def endpoint_slice(r: Reader, doc: LMap, meta: Meta) -> list[ServiceEndpoints]:
    # https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#ownership: the
    # kubernetes.io/service-name label ties a slice to its Service; a slice without it serves none.
    service = meta.labels.get(SERVICE_NAME_LABEL)
    if not service:
        return []
    kind = r.field(doc, "addressType", str, "EndpointSlice", skip=False)
    addresses: list[EndpointAddress] = []
    seq = r.field(doc, "endpoints", LSeq, "EndpointSlice", skip=False)
    for i, item in enumerate(seq or ()):
        if not isinstance(item, LMap):
            continue
        path = f"endpoints[{i}]"
        ips = r.field(item, "addresses", LSeq, path, skip=False)
        conditions = r.field(item, "conditions", LMap, path, skip=False)
        # conditions.ready: "nil should be interpreted as true" (EndpointConditions, discovery.k8s.io/v1).
        ready = conditions is None or conditions.get("ready") is not False
        pod, pod_ns = _target(r, item, path, meta.namespace)
        # "Consumers must handle different types of addresses in the context of their own capabilities.
        # This must contain at least one address but no more than 100" (Endpoint.addresses): all are one pod.
        for ip in ips or ():
            if isinstance(ip, str):
                addresses.append(EndpointAddress(ip, pod, pod_ns, ready))
    ports = _ports(r, doc, "EndpointSlice")
    return [ServiceEndpoints(meta.namespace, service, "EndpointSlice", meta.name, tuple(addresses), ports, doc.span,
                             kind == "FQDN")]  # fmt: skip


def endpoints(r: Reader, doc: LMap, meta: Meta) -> list[ServiceEndpoints]:
    # https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoints-v1/: the
    # Endpoints object has the Service's name; each subset pairs addresses with ports.
    out = []
    seq = r.field(doc, "subsets", LSeq, "Endpoints", skip=False)
    for i, subset in enumerate(seq or ()):
        if not isinstance(subset, LMap):
            continue
        addresses: list[EndpointAddress] = []
        for key, ready in (("addresses", True), ("notReadyAddresses", False)):
            items = r.field(subset, key, LSeq, f"subsets[{i}]", skip=False)
            for j, item in enumerate(items or ()):
                if isinstance(item, LMap) and isinstance(item.get("ip"), str):
                    pod, pod_ns = _target(r, item, f"subsets[{i}].{key}[{j}]", meta.namespace)
                    addresses.append(EndpointAddress(item["ip"], pod, pod_ns, ready))
        ports = _ports(r, subset, f"subsets[{i}]")
        out.append(ServiceEndpoints(meta.namespace, meta.name, "Endpoints", meta.name, tuple(addresses), ports,
                                    subset.span))  # fmt: skip
    return out


def _target(r: Reader, item: LMap, path: str, namespace: str) -> tuple[str | None, str | None]:
    ref = r.field(item, "targetRef", LMap, path, skip=False)
    if ref is None or ref.get("kind", "Pod") != "Pod" or not isinstance(ref.get("name"), str):
        return None, None
    ns = ref.get("namespace")
    return ref["name"], ns if isinstance(ns, str) else namespace


def _ports(r: Reader, obj: LMap, path: str) -> tuple[EndpointPort, ...]:
    out = []
    seq = r.field(obj, "ports", LSeq, path, skip=False)
    for i, item in enumerate(seq or ()):
        if not isinstance(item, LMap):
            continue
        try:
            # EndpointPort.port may be unset in a slice: "all ports are available" is not modelled; skipped.
            number = r.field(item, "port", int, f"{path}.ports[{i}]")
            if number is None:
                continue
            name = r.field(item, "name", str, f"{path}.ports[{i}]", skip=False)
            out.append(EndpointPort(number, protocol_of(r, item, f"{path}.ports[{i}]"), name or None))
        except Skip:
            continue
    return tuple(out)


ENDPOINT_READERS: dict[str, Callable[[Reader, LMap, Meta], list[ServiceEndpoints]]] = {
    "EndpointSlice": endpoint_slice,
    "Endpoints": endpoints,
}
