"""Namespaces, workloads (pods and pod templates) and Services."""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.findings import NO_SPAN, Span
from policylint.model.policy import Protocol

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True, slots=True)
class Namespace:
    name: str
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    span: Span | None = None  # None: referenced but not defined by any manifest
    annotations: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class ContainerPort:
    port: int
    protocol: Protocol = Protocol.TCP
    name: str | None = None
    span: Span = NO_SPAN
    host_port: int | None = None  # exposed on the node's address (an entry point from outside)


@dataclass(frozen=True, slots=True)
class Workload:
    """A Pod or the pod template of a controller. `kind` is the reported kind (a Pod's owner kind)."""

    namespace: str
    name: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False
    span: Span = NO_SPAN
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    pods: tuple[str, ...] = field(default=(), compare=False)  # names of the input's Pods of this workload
    pod_ips: tuple[str, ...] = field(default=(), compare=False)  # their status.podIP, where the input has it
    # Not written in the input: how policylint knows of it ("from Prometheus monitoring/k8s via the
    # Prometheus Operator's rules", model/build_operators.py; "declared in .policylint.yaml").
    derived: str | None = field(default=None, compare=False)
    service_account: str = field(default="default", compare=False)  # spec.serviceAccountName (Calico matches it)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}[{self.kind}]"

    def named_port(self, name: str, protocol: Protocol) -> int | None:
        for p in self.ports:
            if p.name == name and p.protocol is protocol:
                return p.port
        return None


@dataclass(frozen=True, slots=True)
class ServicePort:
    port: int
    target_port: int | str | None = None  # None: same as port
    protocol: Protocol = Protocol.TCP
    name: str | None = None
    node_port: int | None = None
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class Service:
    namespace: str
    name: str
    type: str = "ClusterIP"
    selector: dict[str, str] | None = field(default=None, compare=False)  # None: no selector
    ports: tuple[ServicePort, ...] = ()
    span: Span = NO_SPAN
    selector_span: Span | None = None
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    # The path in from outside (LoadBalancer, NodePort, externalIPs), as written.
    load_balancer_source_ranges: tuple[str, ...] = ()
    external_ips: tuple[str, ...] = ()
    external_traffic_policy: str = "Cluster"
    type_span: Span | None = None
    cluster_ip: str | None = None  # "None": headless (no proxy, DNS names the pods)
    external_name: str | None = None  # type ExternalName: a DNS alias, no backends
    labels: dict[str, str] = field(default_factory=dict, compare=False)  # metadata.labels (Cilium toServices)
    # Which backend a given client reaches; read to say they are not modelled (docs/services.md).
    internal_traffic_policy: str = "Cluster"  # Local: only backends on the client's node
    session_affinity: str = "None"  # ClientIP: a client sticks to one backend

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"
