"""Workloads: the pod template of a controller (or a Pod itself)."""

from __future__ import annotations

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap
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
    spec = r.field(template, "spec", LMap, "template", skip=False)
    ports = container_ports(r, spec) if spec is not None else ()
    host = r.field(spec, "hostNetwork", bool, "spec", skip=False) if spec is not None else None
    return Workload(meta.namespace, meta.name, kind, labels, ports, bool(host), doc.span, meta.annotations)
