"""Types shared by the concrete evaluator and the SMT encoding, so tests compare like with like."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from policylint.model.policy import NetworkPolicy, Protocol, Rule

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# An endpoint is a workload (its index in Cluster.workloads) or an address outside the cluster.
Endpoint = int | IPAddress


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Choices the API leaves to the network plugin (see SEMANTICS.md P9, P18)."""

    # ipBlocks also match pod addresses (Calico-like). Default: they match only external addresses.
    ipblocks_match_pods: bool = False
    # hostNetwork pods are selected by policies like ordinary pods. Default: they are not.
    host_network_selectable: bool = False


@dataclass(frozen=True, slots=True)
class Flow:
    src: Endpoint
    dst: Endpoint
    protocol: Protocol
    port: int


@dataclass(frozen=True, slots=True)
class RuleRef:
    policy: NetworkPolicy
    rule: Rule


@dataclass(frozen=True, slots=True)
class SideVerdict:
    """The verdict of one side: egress at the source or ingress at the destination."""

    applies: bool  # False when the endpoint is external or unselectable: no policy governs it
    isolated: bool
    policies: tuple[NetworkPolicy, ...] = ()  # the policies isolating the endpoint in this direction
    allowing: tuple[RuleRef, ...] = ()  # the rules that admit the flow

    @property
    def allowed(self) -> bool:
        return not self.applies or not self.isolated or bool(self.allowing)


@dataclass(frozen=True, slots=True)
class Verdict:
    flow: Flow
    egress: SideVerdict
    ingress: SideVerdict
    self_traffic: bool = False  # a workload to itself: always allowed

    @property
    def allowed(self) -> bool:
        return self.self_traffic or (self.egress.allowed and self.ingress.allowed)
