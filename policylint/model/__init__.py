"""Typed, immutable model of the cluster read from manifests."""

from policylint.model.cluster import Cluster
from policylint.model.policy import (
    PROTOCOLS,
    Direction,
    IPBlock,
    NetworkPolicy,
    Peer,
    PortSpec,
    Protocol,
    Rule,
)
from policylint.model.selector import EVERYTHING, LabelSelector, Operator, Requirement
from policylint.model.workload import (
    NAMESPACE_NAME_LABEL,
    ContainerPort,
    Namespace,
    Service,
    ServicePort,
    Workload,
)

__all__ = [
    "EVERYTHING",
    "NAMESPACE_NAME_LABEL",
    "PROTOCOLS",
    "Cluster",
    "ContainerPort",
    "Direction",
    "IPBlock",
    "LabelSelector",
    "Namespace",
    "NetworkPolicy",
    "Operator",
    "Peer",
    "PortSpec",
    "Protocol",
    "Requirement",
    "Rule",
    "Service",
    "ServicePort",
    "Workload",
]
