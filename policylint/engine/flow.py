"""Types shared by the concrete evaluator and the SMT encoding, so tests compare like with like."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from policylint.engine.connset import ConnSet
from policylint.model.policy import NetworkPolicy, Protocol, Rule
from policylint.model.rule_form import Origin

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
class Decision:
    """How the tiers decided some ports of one side (engine/tiers.py)."""

    conns: ConnSet
    allowed: bool
    tier: str  # the deciding tier's name; "" when no tier decided (allowed after all tiers)
    how: str  # "rule": a rule decided; "default": the tier's default action; "isolated": selected, no rule
    origin: Origin | None = None  # the deciding rule when how == "rule"
    policies: tuple[Origin, ...] = ()  # the tier's policies that select the endpoint
    passed: tuple[Origin, ...] = ()  # Pass rules that handed these ports down, in order
    unmodelled: tuple[str, ...] = ()  # conditions of the deciding rule outside the model
    network_policy: bool = False  # NetworkPolicy v1 decided (see SideVerdict.policies/allowing)
    consulted_network_policy: bool = False  # the NetworkPolicy layer was reached before the decision


@dataclass(frozen=True, slots=True)
class SideVerdict:
    """The verdict of one side: egress at the source or ingress at the destination."""

    applies: bool  # False when the endpoint is external or unselectable: no policy governs it
    isolated: bool
    policies: tuple[NetworkPolicy, ...] = ()  # the policies isolating the endpoint in this direction
    allowing: tuple[RuleRef, ...] = ()  # the rules that admit the flow
    # Clusters with tiers: the decision for the flow's port, the side's verdict, and the peers and
    # conditions outside the model that the answer depends on. None/() for NetworkPolicy only.
    decision: Decision | None = None
    layered_allowed: bool | None = None
    notes: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        if self.layered_allowed is not None:
            return self.layered_allowed
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
