"""Representative pods: the fewest labels that match a selector, and a copy of the cluster with
one synthetic pod per policy selector and selector peer, so concrete coverage speaks for all pods.
"""

from __future__ import annotations

import dataclasses

from policylint.engine.concrete import Evaluator
from policylint.engine.selectors import matches
from policylint.engine.smt.symbols import NAME
from policylint.model import (
    Cluster,
    ContainerPort,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    Protocol,
    Workload,
)

REPRESENTATIVE_VALUE = "policylint-any"


def representative(selector: LabelSelector, base: dict[str, str] | None = None) -> dict[str, str] | None:
    """The fewest labels (on top of `base`) a pod needs to match `selector`; None if impossible."""
    labels = dict(base or {})
    for key, value in selector.match_labels:
        if labels.setdefault(key, value) != value:
            return None
    for r in selector.match_expressions:
        if r.operator is Operator.IN and r.values:
            labels.setdefault(r.key, r.values[0])
        elif r.operator is Operator.EXISTS:
            labels.setdefault(r.key, REPRESENTATIVE_VALUE)
    return labels if matches(selector, labels) else None


def _peer_pod(cluster: Cluster, policy: NetworkPolicy, peer: Peer, n: int) -> tuple[Namespace | None, Workload] | None:
    if peer.pod_selector is None and peer.namespace_selector is None:
        return None
    labels = representative(peer.pod_selector or LabelSelector())
    if peer.namespace_selector is None:
        return (None, Workload(policy.namespace, f"policylint-peer-{n}", "Pod", labels)) if labels is not None else None
    ns_labels = representative(peer.namespace_selector)
    if labels is None or ns_labels is None:
        return None
    name = ns_labels.get(NAME, f"policylint-ns-{n}")
    known = cluster.namespace_index.get(name)
    if known is not None and not matches(peer.namespace_selector, known.labels):
        return None
    namespace = None if known is not None else Namespace(name, ns_labels)
    return namespace, Workload(name, f"policylint-peer-{n}", "Pod", labels)


def with_representatives(cluster: Cluster) -> Cluster:
    """A copy of `cluster` plus one synthetic pod per policy selector and per selector peer, each
    with the fewest labels that match and every container port name the rules use. Coverage that
    fails on this cluster fails for all pods, and rules whose peers match no workload of the
    input still get a concrete allowed set."""
    namespaces, workloads = list(cluster.namespaces), list(cluster.workloads)
    rules = [r for p in cluster.policies for r in (p.ingress or ()) + (p.egress or ())]
    names = sorted({(s.port, s.protocol.value) for r in rules for s in r.ports or () if isinstance(s.port, str)})
    ports = tuple(ContainerPort(30000 + i, Protocol(proto), name) for i, (name, proto) in enumerate(names))
    for policy in cluster.policies:
        labels = representative(policy.pod_selector)
        if labels is not None:
            workloads.append(Workload(policy.namespace, f"policylint-target-{len(workloads)}", "Pod", labels, ports))
        for rule in (policy.ingress or ()) + (policy.egress or ()):
            for peer in rule.peers or ():
                found = _peer_pod(cluster, policy, peer, len(workloads))
                if found is not None:
                    namespaces += [found[0]] if found[0] is not None else []
                    workloads.append(dataclasses.replace(found[1], ports=ports))
    return Cluster.of(namespaces, workloads, cluster.services, cluster.policies, cluster.tiers)


def representatives_evaluator(ev: Evaluator) -> Evaluator:
    return Evaluator(with_representatives(ev.cluster), ev.assumptions)
