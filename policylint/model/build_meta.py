"""Object metadata shared by every kind: name, namespace, labels, annotations, controller owner."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq

_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@dataclass(slots=True)
class Meta:
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    owner: tuple[str, str] | None  # (kind, name) of the controller ownerReference


# Kinds without a namespace (the namespace of a cluster-scoped object is never assumed).
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy",
    "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy", "StagedGlobalNetworkPolicy", "GlobalNetworkSet",
    "Tier", "Profile", "HostEndpoint", "IngressClass", "GatewayClass", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "APIService", "CustomResourceDefinition",
})  # fmt: skip


def metadata(r: Reader, doc: LMap, kind: str, default_namespace: str) -> Meta:
    meta: LMap | None = r.field(doc, "metadata", LMap, kind)
    name = r.field(meta, "name", str, "metadata") if meta is not None else None
    if meta is None or not name:
        r.bad(meta.span if meta is not None else doc.span, f"{kind}.metadata", "missing required 'name'")
        raise Skip
    namespace = r.field(meta, "namespace", str, "metadata", skip=False)
    if not namespace:
        namespace = default_namespace
        if kind not in CLUSTER_SCOPED:  # kubectl would use the current context's namespace: an assumption
            r.assumed_namespace[doc.span] = None
    for key, value in (("name", name), ("namespace", namespace)):
        if not _DNS_SUBDOMAIN.fullmatch(value) or len(value) > 253:
            # The API server rejects it; and a name with a newline would forge lines in the output.
            where = meta.value_span(key) if key in meta else meta.span
            r.bad(where, f"metadata.{key}", f"{value!r} is not a valid Kubernetes name "
                  "(lowercase letters, digits, '-' and '.', at most 253 characters); object skipped")  # fmt: skip
            raise Skip
    labels = optional_labels(r, meta, "labels", "metadata")
    annotations = optional_labels(r, meta, "annotations", "metadata")
    return Meta(name, namespace, labels, annotations, controller_owner(r, meta))


def optional_labels(r: Reader, obj: LMap, key: str, path: str) -> dict[str, str]:
    try:
        return r.labels(obj, key, path) or {}
    except Skip:
        return {}


def controller_owner(r: Reader, meta: LMap) -> tuple[str, str] | None:
    refs = r.field(meta, "ownerReferences", LSeq, "metadata", skip=False)
    for i, ref in enumerate(refs or ()):
        if not isinstance(ref, LMap):
            continue
        kind, name = ref.get("kind"), ref.get("name")
        if not (isinstance(kind, str) and kind and isinstance(name, str) and name):
            # kind and name are required (OwnerReference in staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go)
            r.bad(refs.item_span(i) if refs else meta.span, f"metadata.ownerReferences[{i}]", "needs 'kind' and 'name'")
            continue
        if ref.get("controller") is True and kind != "Node":
            # A mirror pod of a static pod is owned by its Node (kubelet pkg/kubelet/pod/mirror_client.go):
            # it is a Pod, not a controller's replica.
            return kind, name
    return None
