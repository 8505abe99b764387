"""Port matches of the network-policy-api kinds -> PortSpec.

v1alpha1 `ports` (apis/v1alpha1/shared_types.go AdminNetworkPolicyPort): `portNumber:
{protocol, port}`, `portRange: {protocol, start, end}` (protocol defaults to TCP), `namedPort`.
v1alpha2 `protocols` (apis/v1alpha2/clusternetworkpolicy_types.go ClusterNetworkPolicyProtocol):
`tcp|udp|sctp: {destinationPort: {number} | {range: {start, end}}}`, `destinationNamedPort`.
A named port resolves on the destination pod to the container port of that name whatever its
protocol, so it becomes one named PortSpec per protocol.
"""

from __future__ import annotations

from policylint.load.fields import Reader, Skip, span_in
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.policy import PROTOCOLS, PortSpec, Protocol

_PROTOCOL_KEYS = {"tcp": Protocol.TCP, "udp": Protocol.UDP, "sctp": Protocol.SCTP}
_BY_NAME = {p.value: p for p in Protocol}


def named(name: str, item: LMap) -> tuple[PortSpec, ...]:
    return tuple(PortSpec(name, None, p, False, item.span) for p in PROTOCOLS)


def v1alpha1_ports(r: Reader, seq: LSeq, path: str) -> tuple[PortSpec, ...]:
    out: list[PortSpec] = []
    for i, item in enumerate(seq):
        number = item.get("portNumber") if isinstance(item, LMap) else None
        ports = item.get("portRange") if isinstance(item, LMap) else None
        name = item.get("namedPort") if isinstance(item, LMap) else None
        if isinstance(number, LMap) and isinstance(number.get("port"), int):
            proto = _BY_NAME.get(str(number.get("protocol") or "TCP"), Protocol.TCP)
            out.append(PortSpec(int(number["port"]), None, proto, "protocol" in number, number.span))
        elif isinstance(ports, LMap) and isinstance(ports.get("start"), int) and isinstance(ports.get("end"), int):
            proto = _BY_NAME.get(str(ports.get("protocol") or "TCP"), Protocol.TCP)
            out.append(PortSpec(int(ports["start"]), int(ports["end"]), proto, "protocol" in ports, ports.span))
        elif isinstance(name, str) and isinstance(item, LMap):
            out.extend(named(name, item))
        else:
            _empty(r, seq, i, f"{path}[{i}]", "portNumber, portRange or namedPort")
    return tuple(out)


def _empty(r: Reader, seq: LSeq, index: int, path: str, fields: str) -> None:
    """Nulls pass the schema but the API server prunes them, and then the entry sets nothing."""
    r.bad(span_in(seq, index), path, f"sets none of {fields}; object skipped")
    raise Skip


def v1alpha2_protocols(r: Reader, seq: LSeq, path: str) -> tuple[PortSpec, ...]:
    """Skip (after a located NP002) when a range breaks the CRD's `self.start < self.end`."""
    out: list[PortSpec] = []
    for i, item in enumerate(seq):
        before = len(out)
        name = item.get("destinationNamedPort") if isinstance(item, LMap) else None
        if isinstance(name, str) and isinstance(item, LMap):
            out.extend(named(name, item))
        for key, proto in _PROTOCOL_KEYS.items():
            attrs = item.get(key) if isinstance(item, LMap) else None
            if isinstance(attrs, LMap):
                out.append(_destination(r, attrs, proto, f"{path}[{i}].{key}"))
        if len(out) == before:
            _empty(r, seq, i, f"{path}[{i}]", "tcp, udp, sctp or destinationNamedPort")
    return tuple(out)


def _destination(r: Reader, attrs: LMap, proto: Protocol, path: str) -> PortSpec:
    port = attrs.get("destinationPort")
    number = port.get("number") if isinstance(port, LMap) else None
    rng = port.get("range") if isinstance(port, LMap) else None
    if isinstance(port, LMap) and isinstance(number, int):
        return PortSpec(number, None, proto, True, port.span)
    if not isinstance(port, LMap) or not isinstance(rng, LMap):
        r.bad(attrs.span, f"{path}.destinationPort", "needs a number or a range; object skipped")
        raise Skip
    start, end = rng.get("start"), rng.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not start < end:
        r.bad(span_in(port, "range"), f"{path}.destinationPort.range",
              f"start ({start}) must be less than end ({end}); object skipped")  # fmt: skip
        raise Skip
    return PortSpec(start, end, proto, True, rng.span)
