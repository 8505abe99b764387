"""Workloads that exist outside the input, declared in the config (`workloads:` in .policylint.yaml).

They join the cluster read from the manifests as if written there, marked as declared
(`Workload.derived`), so every command sees them. A workload the input holds itself (same
namespace and name) stands instead of the declared one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from policylint.model.cluster import Cluster
from policylint.model.workload import Workload

DECLARED = "declared in "  # Workload.derived of a declared workload: "declared in .policylint.yaml:3"


def is_declared(w: Workload) -> bool:
    return w.derived is not None and w.derived.startswith(DECLARED)


def with_declared(cluster: Cluster, declared: Sequence[Workload]) -> Cluster:
    if not declared:
        return cluster
    written = {(w.namespace, w.name) for w in cluster.workloads}
    extra = [w for w in declared if (w.namespace, w.name) not in written]
    if not extra:
        return cluster
    workloads = sorted((*cluster.workloads, *extra), key=lambda w: (w.namespace, w.name, w.kind, w.span))
    # Cluster.of adds the namespaces only the declared workloads name; every other part stays as read.
    index = Cluster.of(cluster.namespaces, workloads)
    return replace(cluster, namespaces=index.namespaces, workloads=index.workloads,
                   namespace_index=index.namespace_index)  # fmt: skip
