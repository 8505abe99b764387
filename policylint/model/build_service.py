"""Services and Namespaces, read from their metadata and (for a Service) a flat spec."""

from __future__ import annotations

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_meta import Meta
from policylint.model.build_ports import service_port
from policylint.model.workload import Namespace, Service, ServicePort


def namespace(r: Reader, doc: LMap, meta: Meta) -> Namespace:
    return Namespace(meta.name, meta.labels, doc.span, meta.annotations)


def service(r: Reader, doc: LMap, meta: Meta) -> Service:
    spec = r.field(doc, "spec", LMap, "Service", skip=False)
    if spec is None:
        return Service(meta.namespace, meta.name, span=doc.span, annotations=meta.annotations, labels=meta.labels)
    kind = r.field(spec, "type", str, "spec", skip=False) or "ClusterIP"
    selector_map = r.labels(spec, "selector", "spec")
    ports: list[ServicePort] = []
    seq = r.field(spec, "ports", LSeq, "spec", skip=False)
    for i in range(len(seq or ())):
        try:
            ports.append(service_port(r, seq, i, f"spec.ports[{i}]"))
        except Skip:
            continue
    selector_span = spec.value_span("selector") if "selector" in spec else None
    return Service(meta.namespace, meta.name, kind, selector_map, tuple(ports), doc.span, selector_span,
                   meta.annotations, _strings(r, spec, "loadBalancerSourceRanges"), _strings(r, spec, "externalIPs"),
                   r.field(spec, "externalTrafficPolicy", str, "spec", skip=False) or "Cluster",
                   spec.value_span("type") if "type" in spec else None,
                   r.field(spec, "clusterIP", str, "spec", skip=False),
                   r.field(spec, "externalName", str, "spec", skip=False), meta.labels,
                   r.field(spec, "internalTrafficPolicy", str, "spec", skip=False) or "Cluster",
                   r.field(spec, "sessionAffinity", str, "spec", skip=False) or "None")  # fmt: skip


def _strings(r: Reader, spec: LMap, key: str) -> tuple[str, ...]:
    seq = r.field(spec, key, LSeq, "spec", skip=False)
    return tuple(v for v in seq or () if isinstance(v, str))
