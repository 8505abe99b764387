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


def v1alpha1_ports(seq: LSeq) -> tuple[PortSpec, ...]:
    out: list[PortSpec] = []
    for item in seq:
        if not isinstance(item, LMap):
            continue
        number, ports, name = item.get("portNumber"), item.get("portRange"), item.get("namedPort")
        if isinstance(number, LMap):
            proto = _BY_NAME.get(str(number.get("protocol") or "TCP"), Protocol.TCP)
            out.append(PortSpec(int(number["port"]), None, proto, "protocol" in number, number.span))
        elif isinstance(ports, LMap):
            proto = _BY_NAME.get(str(ports.get("protocol") or "TCP"), Protocol.TCP)
            out.append(PortSpec(int(ports["start"]), int(ports["end"]), proto, "protocol" in ports, ports.span))
        elif isinstance(name, str):
            out.extend(named(name, item))
    return tuple(out)


def v1alpha2_protocols(r: Reader, seq: LSeq, path: str) -> tuple[PortSpec, ...]:
    """Skip (after a located NP002) when a range breaks the CRD's `self.start < self.end`."""
    out: list[PortSpec] = []
    for i, item in enumerate(seq):
        if not isinstance(item, LMap):
            continue
        name = item.get("destinationNamedPort")
        if isinstance(name, str):
            out.extend(named(name, item))
        for key, proto in _PROTOCOL_KEYS.items():
            attrs = item.get(key)
            if isinstance(attrs, LMap):
                out.append(_destination(r, attrs, proto, f"{path}[{i}].{key}"))
    return tuple(out)


def _destination(r: Reader, attrs: LMap, proto: Protocol, path: str) -> PortSpec:
    port = attrs.get("destinationPort")
    if not isinstance(port, LMap):
        return PortSpec(None, None, proto, True, attrs.span)  # validated: cannot happen
    if "number" in port:
        return PortSpec(int(port["number"]), None, proto, True, port.span)
    rng = port.get("range")
    if not isinstance(rng, LMap):
        return PortSpec(None, None, proto, True, port.span)
    start, end = int(rng["start"]), int(rng["end"])
    if not start < end:
        r.bad(span_in(port, "range"), f"{path}.destinationPort.range",
              f"start ({start}) must be less than end ({end}); object skipped")  # fmt: skip
        raise Skip
    return PortSpec(start, end, proto, True, rng.span)
