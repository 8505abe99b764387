"""Ingress (networking.k8s.io/v1), Gateway API (Gateway, HTTPRoute, GRPCRoute, TLSRoute,
ReferenceGrant) and OpenShift Route objects -> model/entry.py. Wrong types are NP002 problems
at their line and drop the smallest enclosing part (a backend, a listener), never the run."""

from __future__ import annotations

from collections.abc import Sequence

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_meta import metadata
from policylint.model.build_selector import selector as label_selector
from policylint.model.entry import BackendRef, Entry, EntryPoints, Gateway, Listener, ParentRef, ReferenceGrant

ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute")
ENTRY_KINDS = ("Ingress", "Route", "Gateway", "ReferenceGrant", *ROUTE_KINDS)


def build_entries(r: Reader, objects: Sequence[LMap], default_namespace: str) -> EntryPoints:
    entries: list[Entry] = []
    gateways: list[Gateway] = []
    grants: list[ReferenceGrant] = []
    for doc in objects:
        kind = str(doc.get("kind"))
        if kind not in ENTRY_KINDS:
            continue
        try:
            meta = metadata(r, doc, kind, default_namespace)
            spec = r.field(doc, "spec", LMap, kind, skip=False)
            if spec is None:
                continue  # nothing routed
            if kind == "Ingress":
                entries.append(_ingress(r, doc, spec, meta.namespace, meta.name, meta.annotations))
            elif kind == "Route":
                entries.append(_route(r, doc, spec, meta.namespace, meta.name, meta.annotations))
            elif kind in ROUTE_KINDS:
                entries.append(_xroute(r, doc, kind, spec, meta.namespace, meta.name, meta.annotations))
            elif kind == "Gateway":
                gateways.append(_gateway(r, doc, spec, meta.namespace, meta.name, meta.annotations))
            else:
                grants.append(_grant(r, spec, meta.namespace))
        except Skip:
            continue
    return EntryPoints(tuple(entries), tuple(gateways), tuple(grants))


def _items(r: Reader, obj: LMap | None, key: str, path: str) -> list[tuple[int, LMap]]:
    """The mapping items of a list field; others are NP002 problems and skipped."""
    if obj is None:
        return []
    seq = r.field(obj, key, LSeq, path, skip=False)
    out = []
    for i, item in enumerate(seq or ()):
        if isinstance(item, LMap):
            out.append((i, item))
        else:
            r.bad(seq.item_span(i), f"{path}.{key}[{i}]", "is not a mapping")
    return out


def _strings(r: Reader, obj: LMap | None, key: str, path: str) -> tuple[str, ...]:
    seq = r.field(obj, key, LSeq, path, skip=False) if obj is not None else None
    return tuple(v for v in seq or () if isinstance(v, str))


def _ingress_backend(r: Reader, backend: LMap | None, namespace: str, path: str) -> BackendRef | None:
    if backend is None:
        return None
    service = r.field(backend, "service", LMap, path, skip=False)
    if service is None:
        return None  # a `resource` backend (an object, not a Service): no pod receives the traffic
    name = r.field(service, "name", str, f"{path}.service", skip=False)
    port_map = r.field(service, "port", LMap, f"{path}.service", skip=False)
    port: int | str | None = None
    if port_map is not None:
        port = r.field(port_map, "number", int, f"{path}.service.port", skip=False)
        if port is None:
            port = r.field(port_map, "name", str, f"{path}.service.port", skip=False)
    return BackendRef(namespace, name, port, backend.span) if name else None


def _ingress(r: Reader, doc: LMap, spec: LMap, namespace: str, name: str, annotations: dict[str, str]) -> Entry:
    backends: list[BackendRef] = []
    hosts: list[str] = []
    default = _ingress_backend(r, r.field(spec, "defaultBackend", LMap, "spec", skip=False), namespace,
                               "spec.defaultBackend")  # fmt: skip
    backends.extend([default] if default else [])
    for i, rule in _items(r, spec, "rules", "spec"):
        host = r.field(rule, "host", str, f"spec.rules[{i}]", skip=False)
        hosts.extend([host] if host else [])
        http = r.field(rule, "http", LMap, f"spec.rules[{i}]", skip=False)
        for j, path in _items(r, http, "paths", f"spec.rules[{i}].http"):
            where = f"spec.rules[{i}].http.paths[{j}].backend"
            found = _ingress_backend(r, r.field(path, "backend", LMap, where, skip=False), namespace, where)
            backends.extend([found] if found else [])
    klass = r.field(spec, "ingressClassName", str, "spec", skip=False) or annotations.get("kubernetes.io/ingress.class")
    return Entry("Ingress", namespace, name, tuple(backends), tuple(dict.fromkeys(hosts)), doc.span, klass,
                 annotations=annotations)  # fmt: skip


def _route(r: Reader, doc: LMap, spec: LMap, namespace: str, name: str, annotations: dict[str, str]) -> Entry:
    backends = []
    targets = [(-1, t) for t in [r.field(spec, "to", LMap, "spec", skip=False)] if t is not None]
    for _, target in targets + _items(r, spec, "alternateBackends", "spec"):
        kind = r.field(target, "kind", str, "spec.to", skip=False) or "Service"
        svc = r.field(target, "name", str, "spec.to", skip=False)
        if kind == "Service" and svc:
            backends.append(BackendRef(namespace, svc, None, target.span))
    port = r.field(spec, "port", LMap, "spec", skip=False)
    target_port = r.field(port, "targetPort", (int, str), "spec.port", skip=False) if port is not None else None
    host = r.field(spec, "host", str, "spec", skip=False)
    return Entry("Route", namespace, name, tuple(backends), (host,) if host else (), doc.span,
                 route_target_port=target_port, annotations=annotations)  # fmt: skip


def _xroute(r: Reader, doc: LMap, kind: str, spec: LMap, namespace: str, name: str,
            annotations: dict[str, str]) -> Entry:  # fmt: skip
    parents = []
    for i, ref in _items(r, spec, "parentRefs", "spec"):
        if (r.field(ref, "kind", str, "spec.parentRefs", skip=False) or "Gateway") != "Gateway":
            continue
        gw = r.field(ref, "name", str, f"spec.parentRefs[{i}]", skip=False)
        if gw:
            parents.append(ParentRef(r.field(ref, "namespace", str, "spec.parentRefs", skip=False) or namespace, gw,
                                     r.field(ref, "sectionName", str, "spec.parentRefs", skip=False),
                                     r.field(ref, "port", int, "spec.parentRefs", skip=False)))  # fmt: skip
    backends = []
    for i, rule in _items(r, spec, "rules", "spec"):
        for j, ref in _items(r, rule, "backendRefs", f"spec.rules[{i}]"):
            where = f"spec.rules[{i}].backendRefs[{j}]"
            if (r.field(ref, "kind", str, where, skip=False) or "Service") != "Service":
                continue
            if (r.field(ref, "group", str, where, skip=False) or "") not in ("", "core"):
                continue
            svc = r.field(ref, "name", str, where, skip=False)
            if svc:
                backends.append(BackendRef(r.field(ref, "namespace", str, where, skip=False) or namespace, svc,
                                           r.field(ref, "port", int, where, skip=False), ref.span))  # fmt: skip
    hosts = _strings(r, spec, "hostnames", "spec")
    return Entry(kind, namespace, name, tuple(backends), hosts, doc.span, parents=tuple(parents),
                 annotations=annotations)  # fmt: skip


def _gateway(r: Reader, doc: LMap, spec: LMap, namespace: str, name: str, annotations: dict[str, str]) -> Gateway:
    listeners = []
    for i, item in _items(r, spec, "listeners", "spec"):
        where = f"spec.listeners[{i}]"
        port = r.field(item, "port", int, where, skip=False)
        if port is None:
            continue
        allowed = r.field(item, "allowedRoutes", LMap, where, skip=False)
        nss = r.field(allowed, "namespaces", LMap, f"{where}.allowedRoutes", skip=False) if allowed else None
        frm = (r.field(nss, "from", str, f"{where}.allowedRoutes.namespaces", skip=False) if nss else None) or "Same"
        selector = None
        if nss is not None and isinstance(nss.get("selector"), LMap):
            try:
                selector = label_selector(r, nss, "selector", f"{where}.allowedRoutes.namespaces")
            except Skip:
                frm = "None"  # an unreadable selector admits no route rather than every namespace
        kinds = tuple(str(k.get("kind")) for _, k in _items(r, allowed, "kinds", f"{where}.allowedRoutes"))
        listeners.append(Listener(r.field(item, "name", str, where, skip=False) or str(i), port,
                                  r.field(item, "protocol", str, where, skip=False) or "HTTP",
                                  r.field(item, "hostname", str, where, skip=False), frm, selector, kinds))  # fmt: skip
    klass = r.field(spec, "gatewayClassName", str, "spec", skip=False) or ""
    return Gateway(namespace, name, tuple(listeners), klass, doc.span, annotations)


def _grant(r: Reader, spec: LMap, namespace: str) -> ReferenceGrant:
    from_ = tuple((str(f.get("kind")), str(f.get("namespace"))) for _, f in _items(r, spec, "from", "spec"))
    to = tuple((str(t.get("kind")), t.get("name") if isinstance(t.get("name"), str) else None)
               for _, t in _items(r, spec, "to", "spec"))  # fmt: skip
    return ReferenceGrant(namespace, from_, to)
