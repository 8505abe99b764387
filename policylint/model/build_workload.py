"""Workloads: the pod template of a controller (or a Pod itself)."""

from __future__ import annotations

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap
from policylint.model.build_controller_labels import with_controller_labels
from policylint.model.build_meta import Meta, optional_labels
from policylint.model.build_ports import container_ports
from policylint.model.workload import Workload

_TEMPLATE_PATH = {"Pod": (), "CronJob": ("spec", "jobTemplate", "spec", "template")}


def workload(r: Reader, doc: LMap, kind: str, meta: Meta) -> Workload:
    """The pod template of a controller (or a Pod itself), named after the object."""
    path = _TEMPLATE_PATH.get(kind, ("spec", "template"))
    template: LMap = doc
    for depth, key in enumerate(path):
        found = r.field(template, key, LMap, ".".join(path[:depth]) or kind)
        if found is None:
            r.bad(template.span, ".".join(path[:depth]) or kind, f"missing required '{key}'")
            raise Skip
        template = found
    labels = meta.labels
    if path:
        tmeta = r.field(template, "metadata", LMap, "template", skip=False)
        labels = optional_labels(r, tmeta, "labels", "template.metadata") if tmeta is not None else {}
        labels = with_controller_labels(kind, meta.name, labels)
    spec = r.field(template, "spec", LMap, "template", skip=False)
    ports = container_ports(r, spec) if spec is not None else ()
    host = r.field(spec, "hostNetwork", bool, "spec", skip=False) if spec is not None else None
    account = _service_account(r, spec)
    if kind != "Pod":
        return Workload(meta.namespace, meta.name, kind, labels, ports, bool(host), doc.span, meta.annotations,
                        service_account=account)  # fmt: skip
    # A Pod's address lets `query` accept it as an endpoint (`kubectl get pods -o yaml` has status.podIP).
    status = r.field(doc, "status", LMap, "Pod", skip=False)
    ip = r.field(status, "podIP", str, "status", skip=False) if status is not None else None
    return Workload(meta.namespace, meta.name, kind, labels, ports, bool(host), doc.span, meta.annotations,
                    pod_ips=(ip,) if ip else (), service_account=account)  # fmt: skip


def _service_account(r: Reader, spec: LMap | None) -> str:
    """spec.serviceAccountName, else the deprecated spec.serviceAccount, else "default" (core/v1 PodSpec)."""
    if spec is None:
        return "default"
    for key in ("serviceAccountName", "serviceAccount"):
        name = r.field(spec, key, str, "spec", skip=False)
        if name:
            return str(name)
    return "default"


def ordinals(r: Reader, doc: LMap) -> range:
    """The ordinals of a StatefulSet's replicas: spec.ordinals.start (default 0), spec.replicas (default 1)."""
    spec = r.field(doc, "spec", LMap, "StatefulSet", skip=False)
    if spec is None:
        return range(0)
    replicas = r.field(spec, "replicas", int, "spec", skip=False)
    starts = r.field(spec, "ordinals", LMap, "spec", skip=False)
    start = r.field(starts, "start", int, "spec.ordinals", skip=False) if starts is not None else None
    count = 1 if replicas is None else max(0, replicas)
    first = start or 0
    return range(first, first + min(count, MAX_REPLICAS))


MAX_REPLICAS = 256  # past this, replicas are not told apart (a selector naming #300 selects nothing)
