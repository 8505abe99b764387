"""Which (apiVersion, kind) pairs the loader keeps for the policy dialects beyond the core kinds.

The core kinds (Namespace, workloads, Service, NetworkPolicy) and their one served apiVersion
are in documents.API_VERSIONS. Each dialect adds the pairs its builder in model/dialects.py
reads; a kind of a foreign API group is never mistaken for an old version of a core kind.
"""

from __future__ import annotations

# apiVersion -> kinds read under it. Keep one line per dialect, sorted by apiVersion.
DIALECT_KINDS: dict[str, frozenset[str]] = {
    "projectcalico.org/v3": frozenset({"NetworkPolicy", "GlobalNetworkPolicy", "Tier", "NetworkSet", "GlobalNetworkSet",
                                       "Profile", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy",
                                       "StagedKubernetesNetworkPolicy"}),  # model/build_calico.py
}  # fmt: skip


def is_dialect_kind(api_version: object, kind: str) -> bool:
    return isinstance(api_version, str) and kind in DIALECT_KINDS.get(api_version, frozenset())
