"""Kinds that can change who reaches whom but that policylint does not model.

Data, one entry per API group: the kinds of that group that allow, deny or route traffic, and
what they do. An object of one of them in the input is reported once per kind (NP801), so every
command says which answers may be wrong. A kind a dialect reads (load/kinds.py DIALECT_KINDS)
is modelled and never listed here, so a dialect that lands drops its kinds from this report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policylint.findings import InputProblem, Span
from policylint.load.kinds import is_dialect_kind

KIND_NOT_MODELLED = "NP801"

_DENY_ALLOW = "its rules allow and deny traffic on top of NetworkPolicy"
_MESH = "the mesh proxy denies requests that NetworkPolicy allows"
_ROUTE = "it routes traffic from outside the cluster to the Services it names"
# Operators' resources that become pods, beyond the ones model/operators.yaml models (those are read).
_PODS = "its operator creates pods that policies and Services may select (declare them under `workloads:`)"

# API group -> kind -> what the kind does to connectivity.
UNMODELLED: Mapping[str, Mapping[str, str]] = {
    "cilium.io": {k: _DENY_ALLOW for k in ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")},
    "projectcalico.org": {k: _DENY_ALLOW for k in ("NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy",
                                                  "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy",
                                                  "NetworkSet", "GlobalNetworkSet", "Tier")},
    "crd.projectcalico.org": {k: _DENY_ALLOW for k in ("NetworkPolicy", "GlobalNetworkPolicy", "NetworkSet",
                                                      "GlobalNetworkSet", "Tier")},
    "policy.networking.k8s.io": {k: "it is evaluated before (Admin) or after (Baseline) NetworkPolicy"
                                 for k in ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
                                           "ClusterNetworkPolicy")},
    "crd.antrea.io": {k: _DENY_ALLOW for k in ("NetworkPolicy", "ClusterNetworkPolicy")},
    "k8s.cni.cncf.io": {"MultiNetworkPolicy": "it filters traffic on secondary networks"},
    "k8s.ovn.org": {"EgressFirewall": "it denies egress to external destinations"},
    "network.openshift.io": {"EgressNetworkPolicy": "it denies egress to external destinations"},
    "security.istio.io": {"AuthorizationPolicy": _MESH, "PeerAuthentication": "strict mTLS refuses plain-text clients"},
    "networking.istio.io": {"Sidecar": "it limits which hosts a workload's proxy can reach"},
    "policy.linkerd.io": {k: _MESH for k in ("AuthorizationPolicy", "Server", "ServerAuthorization")},
    "consul.hashicorp.com": {"ServiceIntentions": _MESH},
    "networking.k8s.io": {"Ingress": _ROUTE},
    "monitoring.coreos.com": {k: _PODS for k in ("Prometheus", "Alertmanager", "ThanosRuler", "PrometheusAgent")},
    "postgresql.cnpg.io": {k: _PODS for k in ("Cluster", "Pooler")},
    "kafka.strimzi.io": {k: _PODS for k in ("Kafka", "KafkaNodePool", "KafkaConnect", "KafkaMirrorMaker2",
                                            "KafkaBridge")},
    "elasticsearch.k8s.elastic.co": {"Elasticsearch": _PODS},
    "kibana.k8s.elastic.co": {"Kibana": _PODS},
    "gateway.networking.k8s.io": {k: _ROUTE for k in ("Gateway", "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute",
                                                     "UDPRoute")},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Unmodelled:
    api_version: str
    kind: str
    count: int
    span: Span
    why: str

    @property
    def what(self) -> str:
        return f"{self.kind} ({self.api_version})"


def unmodelled(skipped: Mapping[tuple[str, str], tuple[Span, int]]) -> list[Unmodelled]:
    """The skipped (apiVersion, kind) pairs that can change an answer, in input order."""
    out: list[Unmodelled] = []
    for (api_version, kind), (span, count) in skipped.items():
        why = UNMODELLED.get(api_version.rpartition("/")[0], {}).get(kind)
        if why is not None and not is_dialect_kind(api_version, kind):
            out.append(Unmodelled(api_version, kind, count, span, why))
    return out


def problems(found: list[Unmodelled]) -> list[InputProblem]:
    return [InputProblem(KIND_NOT_MODELLED, u.span,
                         f"{u.count} {u.what} object(s) not modelled: {u.why}; answers here ignore them")
            for u in found]  # fmt: skip
