"""Which (apiVersion, kind) pairs the loader keeps for the policy dialects beyond the core kinds.

The core kinds (Namespace, workloads, Service, NetworkPolicy) and their one served apiVersion
are in documents.API_VERSIONS. Each dialect adds the pairs its builder in model/dialects.py
reads; a kind of a foreign API group is never mistaken for an old version of a core kind.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

# Entry points from outside the cluster (model/build_entries.py): Ingress, Gateway API, OpenShift.
_ENTRY_KINDS: dict[str, frozenset[str]] = {
    "gateway.networking.k8s.io/v1": frozenset({"Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "ReferenceGrant"}),
    "gateway.networking.k8s.io/v1alpha2": frozenset({"TLSRoute", "GRPCRoute", "ReferenceGrant"}),
    "gateway.networking.k8s.io/v1alpha3": frozenset({"TLSRoute"}),
    "gateway.networking.k8s.io/v1beta1": frozenset({"Gateway", "HTTPRoute", "ReferenceGrant"}),
    "networking.k8s.io/v1": frozenset({"Ingress", "IngressClass"}),
    "route.openshift.io/v1": frozenset({"Route"}),
}
_CRD = "CustomResourceDefinition"
# Objects whose Service the kube-apiserver calls from outside the pod network (model/build_callers.py).
_CALLER_KINDS: dict[str, frozenset[str]] = {
    "admissionregistration.k8s.io/v1": frozenset({"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}),
    "apiregistration.k8s.io/v1": frozenset({"APIService"}),
    "apiextensions.k8s.io/v1": frozenset({"CustomResourceDefinition"}),  # conversion webhooks
}


@cache
def operator_table() -> dict[str, Any]:
    """The operators table, policylint/model/operators.yaml: data, read once (model/build_operators.py
    builds from it; the loader keeps the objects of its kinds)."""
    text = resources.files("policylint").joinpath("model/operators.yaml").read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
    table: dict[str, Any] = yaml.load(text, Loader=loader)  # a safe loader (C or Python)
    return table


def _operator_kinds() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for op in operator_table()["operators"].values():
        for res in op["resources"]:
            for api in res["apiVersions"]:
                out.setdefault(api, set()).add(res["kind"])
    return {api: frozenset(kinds) for api, kinds in sorted(out.items())}


_OPERATOR_KINDS = _operator_kinds()
# Kinds of Kubernetes' own API groups whose schema is generated with the core ones (`<kind>.json`).
# (CustomResourceDefinition has no generated schema: CRDs are large, and only the conversion webhook is read.)
BUILTIN_SCHEMA_KINDS = frozenset({("networking.k8s.io/v1", "Ingress"), ("networking.k8s.io/v1", "IngressClass")}
                                 | {(v, k) for v, ks in _CALLER_KINDS.items() for k in ks if k != _CRD})  # fmt: skip
# Kinds read field by field without a schema (operators' CRDs are large and only a few fields are
# read): wrong types are still located NP002 problems from the builder. Gateway API and OpenShift
# Route schemas are generated from their CRDs (scripts/gen_schemas_gateway_api.py).
UNVALIDATED_KINDS = frozenset((v, k) for kinds in (_OPERATOR_KINDS, _CALLER_KINDS)
                              for v, ks in kinds.items() for k in ks) - BUILTIN_SCHEMA_KINDS  # fmt: skip

# apiVersion -> kinds read under it. Keep one line per dialect, sorted by apiVersion.
DIALECT_KINDS: dict[str, frozenset[str]] = {
    "cilium.io/v2": frozenset({"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"}),  # model/build_cilium.py
    **_ENTRY_KINDS,
    **_CALLER_KINDS,
    **_OPERATOR_KINDS,
    # network-policy-api (model/build_network_policy_api.py): v0.1.7 and v0.2.0 CRDs
    "policy.networking.k8s.io/v1alpha1": frozenset({"AdminNetworkPolicy", "BaselineAdminNetworkPolicy"}),
    "policy.networking.k8s.io/v1alpha2": frozenset({"ClusterNetworkPolicy"}),
    "projectcalico.org/v3": frozenset({"NetworkPolicy", "GlobalNetworkPolicy", "Tier", "NetworkSet", "GlobalNetworkSet",
                                       "Profile", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy",
                                       "StagedKubernetesNetworkPolicy"}),  # model/build_calico.py
}  # fmt: skip


# The storage form of a dialect read as its API form. Calico keeps its objects in CRDs of group
# crd.projectcalico.org/v1 (what `kubectl get globalnetworkpolicies.crd.projectcalico.org -o yaml`
# prints, and what manifests applied without the Calico API server use) with the same kinds and
# spec as projectcalico.org/v3 (projectcalico/calico libcalico-go/config/crd/crd.projectcalico.org_*.yaml
# hold the same spec schemas as api/config/crd/projectcalico.org_*.yaml).
API_VERSION_ALIASES: dict[str, str] = {"crd.projectcalico.org/v1": "projectcalico.org/v3"}


def read_as(api_version: object, kind: object) -> object:
    """The apiVersion a document is read under (its alias target when the kind exists there)."""
    target = API_VERSION_ALIASES.get(api_version) if isinstance(api_version, str) else None
    return target if target is not None and kind in DIALECT_KINDS[target] else api_version


def is_dialect_kind(api_version: object, kind: str) -> bool:
    return isinstance(api_version, str) and kind in DIALECT_KINDS.get(api_version, frozenset())
