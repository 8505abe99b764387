"""Port lists of every kind: a policy rule's ports, container ports and Service ports."""

from __future__ import annotations

from typing import Any

from policylint.load.fields import Reader, Skip, shown
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.policy import PortSpec, Protocol
from policylint.model.workload import ContainerPort, ServicePort

_PROTOCOLS = {p.value: p for p in Protocol}


def port_spec(r: Reader, seq: LSeq, index: int, path: str) -> PortSpec:
    item = seq[index]
    span = seq.item_span(index)
    if item is None:
        return PortSpec(span=span)  # `- {}` written as `-`: all ports, TCP
    if not isinstance(item, LMap):
        r.bad(span, path, f"{shown(item)} is not a mapping")
        raise Skip
    port = r.field(item, "port", (int, str), path)
    end_port = r.field(item, "endPort", int, path)
    proto_text = r.field(item, "protocol", str, path)
    protocol = Protocol.TCP
    if proto_text is not None:
        found = _PROTOCOLS.get(proto_text)
        if found is None:
            r.bad(item.value_span("protocol"), f"{path}.protocol", f"{proto_text!r} is not TCP, UDP or SCTP")
            raise Skip
        protocol = found
    return PortSpec(port, end_port, protocol, proto_text is not None, span)


def container_ports(r: Reader, spec: LMap) -> tuple[ContainerPort, ...]:
    out: list[ContainerPort] = []
    for key in ("initContainers", "containers"):
        containers = r.field(spec, key, LSeq, "spec", skip=False)
        for ci, container in enumerate(containers or ()):
            if not isinstance(container, LMap):
                continue  # reported by schema validation; a container without ports adds nothing
            ports = r.field(container, "ports", LSeq, f"spec.{key}[{ci}]", skip=False)
            for pi in range(len(ports or ())):
                try:
                    out.append(container_port(r, ports, pi, f"spec.{key}[{ci}].ports[{pi}]"))
                except Skip:
                    continue
    return tuple(out)


def container_port(r: Reader, seq: Any, index: int, path: str) -> ContainerPort:
    item = seq[index]
    if not isinstance(item, LMap):
        r.bad(seq.item_span(index), path, f"{shown(item)} is not a mapping")
        raise Skip
    number = r.field(item, "containerPort", int, path)
    if number is None:
        r.bad(seq.item_span(index), path, "missing required 'containerPort'")
        raise Skip
    name = r.field(item, "name", str, path, skip=False)
    host_port = r.field(item, "hostPort", int, path, skip=False)
    return ContainerPort(number, protocol_of(r, item, path), name, seq.item_span(index), host_port)


def protocol_of(r: Reader, item: LMap, path: str) -> Protocol:
    text = r.field(item, "protocol", str, path)
    if text is None:
        return Protocol.TCP
    found = _PROTOCOLS.get(text)
    if found is None:
        r.bad(item.value_span("protocol"), f"{path}.protocol", f"{text!r} is not TCP, UDP or SCTP")
        raise Skip
    return found


def service_port(r: Reader, seq: Any, index: int, path: str) -> ServicePort:
    item = seq[index]
    if not isinstance(item, LMap):
        r.bad(seq.item_span(index), path, f"{shown(item)} is not a mapping")
        raise Skip
    port = r.field(item, "port", int, path)
    if port is None:
        r.bad(seq.item_span(index), path, "missing required 'port'")
        raise Skip
    target = r.field(item, "targetPort", (int, str), path)
    name = r.field(item, "name", str, path, skip=False)
    node_port = r.field(item, "nodePort", int, path, skip=False)
    protocol = protocol_of(r, item, path)
    return ServicePort(port, port if target is None else target, protocol, name, node_port, seq.item_span(index))
