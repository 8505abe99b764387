"""Subjects and peers shared by the network-policy-api kinds (AdminNetworkPolicy,
BaselineAdminNetworkPolicy, ClusterNetworkPolicy): the same fields in v1alpha1 and v1alpha2.

Objects reach here already validated against their CRD schema (load/validate.py), so shapes
are as the schema says; values the schema cannot check (CEL rules) are checked by the callers.
Upstream: kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go
(ClusterNetworkPolicySubject, ClusterNetworkPolicyIngressPeer, ClusterNetworkPolicyEgressPeer,
NamespacedPod) and apis/v1alpha1/shared_types.go.
"""

from __future__ import annotations

from policylint.load.fields import Reader, Skip, span_in
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_policy import parse_cidr
from policylint.model.build_selector import selector
from policylint.model.policy import IPBlock
from policylint.model.rule_form import Match, PodScope
from policylint.model.selector import EVERYTHING, LabelSelector


def _ns(sel: LabelSelector | None) -> LabelSelector | None:
    """An empty namespace selector is every namespace, which PodScope writes as None."""
    return None if sel is None or sel.is_empty else sel


def pod_scopes(r: Reader, obj: LMap, path: str) -> PodScope | None:
    """`namespaces` (every pod of the selected namespaces) or `pods` (namespaceSelector AND
    podSelector); None if neither is set. Host-network pods are excluded by the engine's
    assumptions (upstream: "host-networked pods are not included")."""
    namespaces = selector(r, obj, "namespaces", path)
    if namespaces is not None:
        return PodScope(EVERYTHING, namespace_selector=_ns(namespaces))
    pods: LMap | None = r.field(obj, "pods", LMap, path)
    if pods is None:
        return None
    here = f"{path}.pods"
    pod_sel = selector(r, pods, "podSelector", here) or EVERYTHING
    return PodScope(pod_sel, namespace_selector=_ns(selector(r, pods, "namespaceSelector", here)))


def peer_match(r: Reader, seq: LSeq, index: int, path: str) -> tuple[Match, ...]:
    """One from/to element as Match alternatives (() if it holds no field this model reads).

    - `networks`: CIDRs; by the spec they also match pod and node addresses
      (ClusterNetworkPolicyEgressPeer.Networks: "cluster-internal traffic will be checked against
      the rule as well"), hence networks_match_pods.
    - `nodes`: node addresses come from Node objects' status, which manifests do not carry: an
      unresolved peer.
    - `domainNames`: resolved by DNS at run time: one unresolved peer per name.
    """
    item = seq[index]
    if not isinstance(item, LMap):
        r.bad(span_in(seq, index), path, "is not a mapping; object skipped")
        raise Skip
    scope = pod_scopes(r, item, path)
    if scope is not None:
        return (Match(pods=scope),)
    networks: LSeq | None = r.field(item, "networks", LSeq, path)
    if networks is not None:
        blocks = tuple(
            IPBlock(str(text), (), parse_cidr(str(text)), (), span_in(networks, i)) for i, text in enumerate(networks)
        )
        return (Match(networks=blocks, networks_match_pods=True),)
    nodes = selector(r, item, "nodes", path)
    if nodes is not None:
        return (Match(unresolved=(f"nodes {nodes} (node addresses are not in the manifests)",)),)
    names: LSeq | None = r.field(item, "domainNames", LSeq, path)
    if names is None:
        # Nulls pass the schema but the API server prunes them, and then the peer sets nothing.
        r.bad(span_in(seq, index), path, "sets none of namespaces, pods, networks, nodes, domainNames; object skipped")
        raise Skip
    return tuple(Match(unresolved=(f"domain name {name} (resolved by DNS at run time)",)) for name in names)


def bad_cidrs(r: Reader, seq: LSeq, path: str) -> bool:
    """The CRD's `isCIDR(self)` rule, which JSON Schema cannot express: True if any entry fails."""
    bad = False
    for i, item in enumerate(seq):
        networks = item.get("networks") if isinstance(item, LMap) else None
        if not isinstance(networks, LSeq):
            continue
        for j, text in enumerate(networks):
            if not isinstance(text, str) or parse_cidr(text) is None:
                r.bad(span_in(networks, j), f"{path}[{i}].networks[{j}]", f"{text!r} is not a CIDR; object skipped")
                bad = True
    return bad


def has_address_peer(seq: LSeq) -> bool:
    """The CRD rule: named ports cannot be used with networks/nodes/domainNames peers."""
    return any(isinstance(p, LMap) and any(k in p for k in ("networks", "nodes", "domainNames")) for p in seq)
