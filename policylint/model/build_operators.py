"""Custom resources -> the workloads their operator creates, from the table in operators.yaml.

One generic builder for every operator: the table says, per (apiVersion, kind), how the operator
names its workloads, which labels and container ports their pods get, and how many. Adding an
operator is adding data. A derived workload is modelled like a StatefulSet's pods (split per
replica when a selector tells replicas apart) and says where it comes from (`Workload.derived`).
A resource with a field of the wrong type is an NP002 problem at its line and derives nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from policylint.load.fields import Reader, Skip
from policylint.load.kinds import operator_table
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_controller_labels import CONTROLLER_SET, with_controller_labels
from policylint.model.build_meta import metadata
from policylint.model.build_ports import container_ports
from policylint.model.build_workload import MAX_REPLICAS
from policylint.model.policy import Protocol
from policylint.model.workload import ContainerPort, Workload

UNKNOWN = "~"  # a template default: a value the operator sets at run time
_FIELD = re.compile(r"\{([^{}|]+)(?:\|([^{}]*))?\}")


class _Absent(Exception):
    """A template names a field the resource does not have (and gives no default)."""


@dataclass(frozen=True, slots=True)
class Derived:
    """A workload an operator creates from a resource of the input, with its replicas' ordinals."""

    workload: Workload
    replicas: range


@dataclass(frozen=True, slots=True)
class _Resource:
    operator: str  # its title: "the Prometheus Operator"
    body: Mapping[str, Any]


@cache
def table() -> dict[tuple[str, str], _Resource]:
    """(apiVersion, kind) -> how its operator turns it into pods."""
    out: dict[tuple[str, str], _Resource] = {}
    for op in operator_table()["operators"].values():
        for res in op["resources"]:
            for api in res["apiVersions"]:
                out[(api, res["kind"])] = _Resource(op["title"], res)
    return out


def is_operator_kind(api_version: object, kind: object) -> bool:
    return isinstance(api_version, str) and isinstance(kind, str) and (api_version, kind) in table()


def operator_workloads(r: Reader, objects: Sequence[LMap], default_namespace: str) -> list[Derived]:
    """The workloads every operator resource of `objects` makes (other objects are ignored)."""
    out: list[Derived] = []
    for doc in objects:
        res = table().get((str(doc.get("apiVersion")), str(doc.get("kind"))))
        if res is None:
            continue
        problems = len(r.problems)
        try:
            found = list(_derive(r, doc, res, default_namespace))
        except Skip:
            continue
        if len(r.problems) == problems:  # a resource the API server would reject makes no pods
            out.extend(found)
    return out


def _derive(r: Reader, doc: LMap, res: _Resource, default_namespace: str) -> Iterator[Derived]:
    kind = str(doc.get("kind"))
    meta = metadata(r, doc, kind, default_namespace)
    body = res.body
    why = f"from {kind} {meta.namespace}/{meta.name} via {res.operator}'s rules"
    items: list[LMap | None] = [None]
    if "each" in body:
        seq = _at(doc, body["each"], None)
        if seq is not None and not isinstance(seq, LSeq):
            r.bad(doc.span, f"{kind}.{body['each']}", "is not a list")
            raise Skip
        items = [i for i in seq or () if isinstance(i, LMap)]
    for item in items:
        ctx = _Context(doc, meta.name, meta.namespace, item)
        shards = _count(r, ctx, body["shards"], kind) if "shards" in body else 1
        for shard in range(max(shards, 1)):
            ctx.shard = shard
            template = body["shards"]["workload"] if shard and "shards" in body else body["workload"]
            try:
                name = ctx.render(template)
            except _Absent:
                continue
            labels = _labels(r, ctx, body["labels"], kind)
            ports = _ports(r, ctx, body["ports"], body.get("containers"))
            count = _count(r, ctx, body["replicas"], kind)
            controller = str(body["controller"])
            for suffix, extra, n in _variants(body.get("variants"), count):
                full = with_controller_labels(controller, name, {**labels, **extra})
                wname = f"{name}-{suffix}" if suffix else name
                ordinals = range(min(n, MAX_REPLICAS))
                # A StatefulSet's pods are named by ordinal; other controllers' names are not known here.
                pods = tuple(f"{wname}-{i}" for i in ordinals) if controller == "StatefulSet" else ()
                w = Workload(meta.namespace, wname, controller, full, ports, False, doc.span, {}, pods, derived=why)
                yield Derived(w, ordinals)


@dataclass(slots=True)
class _Context:
    doc: LMap
    name: str
    namespace: str
    item: LMap | None
    shard: int = 0

    def value(self, path: str) -> Any:
        if path == "name":
            return self.name
        if path == "namespace":
            return self.namespace
        if path == "shard":
            return str(self.shard)
        return _at(self.doc, path, self.item)

    def render(self, template: str) -> str:
        def one(m: re.Match[str]) -> str:
            value = self.value(m.group(1))
            if value is None or isinstance(value, (LMap, LSeq)):
                if m.group(2) is None:
                    raise _Absent
                return CONTROLLER_SET if m.group(2) == UNKNOWN else m.group(2)
            return str(value).lower() if isinstance(value, bool) else str(value)

        return CONTROLLER_SET if template == UNKNOWN else _FIELD.sub(one, template)


def _at(doc: LMap, path: str, item: LMap | None) -> Any:
    """The value at a dotted field path (`item.` paths start at the current list item)."""
    steps = path.split(".")
    node: Any = doc
    if steps[0] == "item":
        node, steps = item, steps[1:]
    for step in steps:
        if not isinstance(node, LMap):
            return None
        node = node.get(step)
    return node


def _count(r: Reader, ctx: _Context, spec: Mapping[str, Any], kind: str) -> int:
    value = ctx.value(spec["field"])
    if value is None:
        return int(spec.get("default", 1))
    if not isinstance(value, int) or isinstance(value, bool):
        r.bad(ctx.doc.span, f"{kind}.{spec['field']}", f"{value!r} is not an integer")
        raise Skip
    return max(value, 0)


def _labels(r: Reader, ctx: _Context, steps: Sequence[Mapping[str, Any]], kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for step in steps:
        if "from" in step:
            found = ctx.value(step["from"])
            if found is None:
                continue
            if not isinstance(found, LMap):
                r.bad(ctx.doc.span, f"{kind}.{step['from']}", "is not a mapping")
                raise Skip
            out.update({str(k): "" if v is None else str(v) for k, v in found.items()})
            continue
        try:
            out[step["key"]] = ctx.render(step["value"])
        except _Absent:
            continue
    return out


def _ports(r: Reader, ctx: _Context, specs: Sequence[Mapping[str, Any]],
           containers: str | None) -> tuple[ContainerPort, ...]:  # fmt: skip
    out: list[ContainerPort] = []
    for spec in specs:
        if "each" in spec:  # one port per item of a list field (Strimzi's listeners): {item.port}
            seq = ctx.value(spec["each"])
            items = [i for i in seq if isinstance(i, LMap)] if isinstance(seq, LSeq) else []
            for item in items:
                one = _Context(ctx.doc, ctx.name, ctx.namespace, item, ctx.shard)
                try:
                    port = one.render(str(spec["port"]))
                except _Absent:
                    continue
                if port.isdigit() and 0 < int(port) < 65536:  # the CRD's schema rejects other values
                    out.extend(_ports(r, one, [{k: v for k, v in spec.items() if k != "each"} | {"port": port}], None))
            continue
        if not all(_truthy(ctx.value(path)) for path in _paths(spec.get("when"))):
            continue
        if any(_truthy(ctx.value(path)) for path in _paths(spec.get("unless"))):
            continue
        try:
            name = ctx.render(spec["name"])
        except _Absent:
            continue
        out.append(ContainerPort(int(spec["port"]), Protocol(spec.get("protocol", "TCP")), name, ctx.doc.span))
    extra = ctx.value(containers) if containers else None
    if isinstance(extra, LMap):
        # Containers the resource adds are merged into the pod (ports of every container count).
        known = {(p.port, p.protocol) for p in out}
        out.extend(p for p in container_ports(r, extra) if (p.port, p.protocol) not in known)
    return tuple(out)


def _paths(value: str | list[str] | None) -> list[str]:
    """`when`/`unless`: one field path or a list (when: all of them set; unless: any of them set)."""
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != {} and value != []


def _variants(variants: Sequence[Mapping[str, Any]] | None, count: int) -> Iterator[tuple[str, dict[str, str], int]]:
    """(name suffix, labels, pods) per variant; no variants: one group of `count` pods."""
    if not variants:
        yield "", {}, count
        return
    left = count
    for v in variants:
        n = left if v["count"] == "rest" else min(int(v["count"]), left)
        left -= n
        if n > 0:
            yield str(v["suffix"]), {str(k): str(val) for k, val in v["labels"].items()}, n
