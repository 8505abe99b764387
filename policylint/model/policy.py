"""NetworkPolicy (networking.k8s.io/v1) as a typed model; absent and empty stay distinct."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import Enum

from policylint.findings import NO_SPAN, Span
from policylint.model.selector import LabelSelector

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Protocol(Enum):
    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


PROTOCOLS: tuple[Protocol, ...] = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)


class Direction(Enum):
    INGRESS = "Ingress"
    EGRESS = "Egress"


@dataclass(frozen=True, slots=True)
class IPBlock:
    """`cidr` minus `except_`. The parsed networks are None when the text is not a valid CIDR."""

    cidr: str
    except_: tuple[str, ...] = ()
    network: IPNetwork | None = None
    except_networks: tuple[IPNetwork | None, ...] = ()
    span: Span = NO_SPAN
    except_spans: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Peer:
    """One element of from/to. None means the field is absent, which differs from `{}`."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class PortSpec:
    """`port` is a number, a name, or None (absent: all ports of the protocol)."""

    port: int | str | None = None
    end_port: int | None = None
    protocol: Protocol = Protocol.TCP
    protocol_written: bool = False
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Rule:
    """An ingress or egress rule. `peers`/`ports` None = absent; () = written empty. Both mean all."""

    direction: Direction
    index: int  # 0-based position in the policy's list; shown 1-based to users
    peers: tuple[Peer, ...] | None = None
    ports: tuple[PortSpec, ...] | None = None
    span: Span = NO_SPAN

    @property
    def all_peers(self) -> bool:
        return not self.peers

    @property
    def all_ports(self) -> bool:
        return not self.ports


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    namespace: str
    name: str
    pod_selector: LabelSelector
    # policyTypes as written: None when absent; may be () when written as [].
    policy_types_written: tuple[Direction, ...] | None = None
    # ingress/egress: None when absent, () when written empty.
    ingress: tuple[Rule, ...] | None = None
    egress: tuple[Rule, ...] | None = None
    span: Span = NO_SPAN
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    policy_types_span: Span | None = None
    ingress_span: Span | None = None
    egress_span: Span | None = None

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def policy_types(self) -> tuple[Direction, ...]:
        """Effective policyTypes (SetDefaults_NetworkPolicy): Ingress always, Egress iff egress rules."""
        if self.policy_types_written:
            return self.policy_types_written
        if self.egress:
            return (Direction.INGRESS, Direction.EGRESS)
        return (Direction.INGRESS,)

    def isolates(self, direction: Direction) -> bool:
        return direction in self.policy_types

    def rules(self, direction: Direction) -> tuple[Rule, ...]:
        """The rules that take effect in `direction` (rules of a direction not in policyTypes are ignored)."""
        if not self.isolates(direction):
            return ()
        rules = self.ingress if direction is Direction.INGRESS else self.egress
        return rules or ()
