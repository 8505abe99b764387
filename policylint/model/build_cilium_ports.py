"""Cilium `toPorts` -> port specs of the rule form, plus the L7 conditions outside the model.

pkg/policy/api/l4.go: a PortRule lists `ports` (PortProtocol: `port` a number or a name, `endPort`,
`protocol` TCP/UDP/SCTP/ANY, ANY the default) and optional L7 `rules` (http, kafka, dns, l7).
Port "0" or no port means every port (docs Documentation/security/policy/layer4.rst "Limit
ingress/egress ports"). Ports are the destination's, after Service translation, as for
NetworkPolicy.
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.load.fields import Reader
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.policy import PROTOCOLS, PortSpec, Protocol

_PROTOCOLS = {p.value: (p,) for p in Protocol} | {"ANY": PROTOCOLS}
L7_KINDS = ("http", "kafka", "dns", "l7")


class Rejected(Exception):
    """The Cilium agent refuses the policy (its Sanitize fails); the message says why."""

    def __init__(self, where: object, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class Ports:
    specs: tuple[PortSpec, ...] | None  # None: every port of every protocol
    l7: tuple[str, ...] = ()  # L7 rule kinds written ("http on TCP 80"), evaluated as if they held
    dns_rule: bool = False  # a `rules.dns` section: the DNS visibility toFQDNs relies on


def port_rules(r: Reader, rule: LMap, path: str) -> Ports:
    seq: LSeq | None = r.field(rule, "toPorts", LSeq, path, skip=False)
    if seq is None:
        return Ports(None)
    specs: list[PortSpec] = []
    l7: list[str] = []
    dns = False
    for i, item in enumerate(seq):
        if not isinstance(item, LMap):
            continue  # reported by schema validation
        here = f"{path}.toPorts[{i}]"
        written = _ports(r, item, here)
        specs.extend(written if written is not None else [PortSpec(None, None, p, True, item.span) for p in PROTOCOLS])
        rules = r.field(item, "rules", LMap, here, skip=False)
        for kind in L7_KINDS:
            if rules is not None and kind in rules:
                shown = ", ".join(_show(s) for s in written) if written else "every port"
                l7.append(f"L7 {kind} rules on {shown} ({here}.rules at {rules.span})")
                dns = dns or kind == "dns"
    return Ports(tuple(specs), tuple(l7), dns)


def _ports(r: Reader, item: LMap, path: str) -> list[PortSpec] | None:
    ports: LSeq | None = r.field(item, "ports", LSeq, path, skip=False)
    if ports is None:
        return None
    out: list[PortSpec] = []
    for i, p in enumerate(ports):
        if not isinstance(p, LMap):
            continue
        out.extend(_port(r, p, f"{path}.ports[{i}]", ports.item_span(i)))
    return out


def _port(r: Reader, p: LMap, path: str, span: object) -> list[PortSpec]:
    text = p.get("port")
    number: int | str | None = None
    if isinstance(text, (int, str)) and not isinstance(text, bool):
        text = str(text).strip()
        if text.isdigit():
            value = int(text)
            if value > 65535:
                raise Rejected(p.value_span("port"), f"{path}.port: {value} is not a port number (0-65535)")
            number = value or None  # port 0: every port
        elif text:
            number = text  # a named port, resolved on the destination pod
    end = r.field(p, "endPort", int, path, skip=False)
    if end is not None and isinstance(number, int) and end < number:
        raise Rejected(p.value_span("endPort"), f"{path}.endPort: {end} is below port {number}")
    proto_text = p.get("protocol") or "ANY"
    protocols = _PROTOCOLS.get(str(proto_text))
    if protocols is None:
        raise Rejected(p.value_span("protocol"), f"{path}.protocol: {proto_text!r} is not TCP, UDP, SCTP or ANY")
    where = p.span
    return [PortSpec(number, end if isinstance(number, int) else None, proto, True, where) for proto in protocols]


def _show(spec: PortSpec) -> str:
    port = "every port" if spec.port is None else str(spec.port)
    if spec.end_port is not None:
        port += f"-{spec.end_port}"
    return f"{spec.protocol.value} {port}"
