"""Cilium endpoint selectors -> the one selector model (PodScope), with Cilium's namespace scoping.

Cilium selectors are Kubernetes LabelSelectors over an endpoint's identity labels, whose keys carry
a source: `k8s:app` (Kubernetes labels), `reserved:host` or `$host` (reserved identities),
`any:app` or a bare `app` (any source). A pod's identity holds its own labels, the namespace as
`k8s:io.kubernetes.pod.namespace` and its namespace's labels as
`k8s:io.cilium.k8s.namespace.labels.<key>` (pkg/labels/labels.go GetExtendedKeyFrom; docs
Documentation/security/policy/kubernetes.rst "Namespaces"). Here those become the pod selector,
the namespace name and the namespace selector of a PodScope.

Namespace scoping follows pkg/k8s/apis/cilium.io/utils/utils.go (ParseToCiliumRule,
getEndpointSelector): a CiliumNetworkPolicy's endpointSelector always means the policy's
namespace (a namespace written there is replaced); a peer selector that names no namespace is
confined to the policy's namespace, unless it names namespace labels (see
CiliumOptions.namespace_labels_widen); in a CiliumClusterwideNetworkPolicy such a peer means pods of
every namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policylint.findings import InputProblem, Span
from policylint.load.fields import Reader, Skip, shown
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_selector import requirement
from policylint.model.rule_form import PodScope
from policylint.model.selector import LabelSelector, Operator, Requirement
from policylint.model.workload import NAMESPACE_NAME_LABEL

POD_NAMESPACE = "io.kubernetes.pod.namespace"
NAMESPACE_LABELS = "io.cilium.k8s.namespace.labels."
# Identity labels that manifests do not carry (service account, cluster-mesh cluster name).
OPAQUE_KEYS = ("io.cilium.k8s.policy.serviceaccount", "io.cilium.k8s.policy.cluster")
POD_SOURCES = ("k8s", "any")

# Cilium's default identity label filter (pkg/labelsfilter/filter.go defaultLabelPrefixCfg): pod
# labels whose key starts with one of these (regular expressions anchored at the key's start) are
# left out of the security identity, so policy selectors never see them, unless a longer kept
# prefix also matches (io.kubernetes.pod.namespace, io.cilium.k8s.namespace.labels,
# app.kubernetes.io). controller-uid joined the list in Cilium 1.15.5 (#31964).
IGNORED_LABELS = re.compile(
    r"io\.kubernetes|kubernetes\.io|statefulset\.kubernetes\.io/pod-name|apps\.kubernetes\.io/pod-index"
    r"|batch\.kubernetes\.io/job-completion-index|.*beta\.kubernetes\.io|k8s\.io|pod-template-generation"
    r"|pod-template-hash|controller-revision-hash|annotation|etcd_node|controller-uid|batch\.kubernetes\.io/controller-uid"
)
KEPT_LABELS = ("io.kubernetes.pod.namespace", "io.cilium.k8s.namespace.labels", "app.kubernetes.io",
               "io.cilium.k8s.policy.cluster")  # fmt: skip


def identity_label(key: str) -> bool:
    """Whether a pod label with this key is part of its Cilium identity (the default filter)."""
    m = IGNORED_LABELS.match(key)
    return m is None or any(key.startswith(k) and len(k) > m.end() for k in KEPT_LABELS)


def split_key(key: str) -> tuple[str, str]:
    """(source, key) of a selector key: `$x` is reserved, `src:key` names its source, else any."""
    if key.startswith("$"):
        return "reserved", key[1:]
    source, colon, rest = key.partition(":")
    return (source, rest) if colon else ("any", key)


@dataclass(frozen=True, slots=True)
class Translated:
    """A Cilium selector read into the selector model.

    `pods`/`namespaces` hold the pod-label and namespace-label terms; `namespace_terms` the terms
    on the namespace name (as `kubernetes.io/metadata.name`). `reserved` names reserved identities
    the selector asks for; `opaque` terms the analysis cannot evaluate offline.
    """

    pods: LabelSelector
    namespaces: tuple[Requirement, ...]
    namespace_terms: tuple[Requirement, ...]
    reserved: tuple[str, ...] = ()
    opaque: tuple[str, ...] = ()
    names_namespace: bool = False
    names_namespace_labels: bool = False
    filtered: tuple[str, ...] = ()  # pod label keys left out of identities (IGNORED_LABELS)


def read_selector(r: Reader, value: object, span: Span, path: str) -> LabelSelector:
    """A selector written as a mapping (a list item or a field value); Skip when unreadable."""
    if not isinstance(value, LMap):
        r.bad(span, path, f"{shown(value)} is not a mapping")
        raise Skip
    labels = r.labels(value, "matchLabels", path) or {}
    exprs: LSeq | None = r.field(value, "matchExpressions", LSeq, path)
    reqs = tuple(requirement(r, exprs, i, f"{path}.matchExpressions[{i}]") for i in range(len(exprs or ())))
    return LabelSelector(tuple(sorted(labels.items())), reqs, value.span)


def _requirements(selector: LabelSelector) -> list[Requirement]:
    reqs = [Requirement(k, Operator.IN, (v,), selector.span) for k, v in selector.match_labels]
    return reqs + list(selector.match_expressions)


def translate(selector: LabelSelector) -> Translated:
    pods: list[Requirement] = []
    namespaces: list[Requirement] = []
    names: list[Requirement] = []
    reserved: list[str] = []
    opaque: list[str] = []
    filtered: list[str] = []
    for req in _requirements(selector):
        source, key = split_key(req.key)
        if source == "reserved":
            reserved.append(key)
        elif source not in POD_SOURCES:
            # Labels of other sources (container:, cni:, ...) are not on any Kubernetes pod.
            opaque.append(req.key)
        elif key == POD_NAMESPACE:
            names.append(Requirement(NAMESPACE_NAME_LABEL, req.operator, req.values, req.span))
        elif key.startswith(NAMESPACE_LABELS):
            namespaces.append(Requirement(key[len(NAMESPACE_LABELS):], req.operator, req.values, req.span))
        elif key in OPAQUE_KEYS:
            opaque.append(req.key)
        elif not identity_label(key):
            # No identity carries the label: a test for it never holds, one for its absence always does.
            filtered.append(req.key)
            if req.operator in (Operator.IN, Operator.EXISTS):
                pods.append(Requirement(key, Operator.IN, (), req.span))
        else:
            pods.append(Requirement(key, req.operator, req.values, req.span))
    return Translated(
        LabelSelector((), tuple(pods), selector.span), tuple(namespaces), tuple(names),
        tuple(reserved), tuple(opaque), bool(names), bool(namespaces), tuple(filtered),
    )


NON_IDENTITY_LABEL = "NP749"  # rules/np749_cilium_non_identity_label.py


def read_translated(r: Reader, value: object, span: Span, path: str) -> Translated:
    """A selector read and translated; a test of a label Cilium leaves out of identities is reported."""
    t = translate(read_selector(r, value, span, path))
    for key in dict.fromkeys(t.filtered):
        r.problems.append(InputProblem(NON_IDENTITY_LABEL, span, (
            f"{path} tests {key!r}, which Cilium leaves out of security identities (default label filter): "
            "a test for it matches no endpoint, a test for its absence every endpoint")))
    return t


def scope_of(t: Translated, confine_to: str | None) -> PodScope:
    """The pods `t` selects; `confine_to` (a namespace) replaces any namespace terms written."""
    ns_reqs = t.namespaces if confine_to is not None else t.namespaces + t.namespace_terms
    if confine_to is not None:
        if not ns_reqs:
            return PodScope(t.pods, namespace=confine_to)
        ns_reqs = (*ns_reqs, Requirement(NAMESPACE_NAME_LABEL, Operator.IN, (confine_to,)))
    elif not t.namespaces and len(t.namespace_terms) == 1:
        only = t.namespace_terms[0]
        if only.operator is Operator.IN and len(only.values) == 1:
            return PodScope(t.pods, namespace=only.values[0])
    if not ns_reqs:
        return PodScope(t.pods)
    return PodScope(t.pods, namespace_selector=LabelSelector((), ns_reqs, t.pods.span))


def subject_scope(t: Translated, policy_namespace: str | None) -> PodScope:
    """endpointSelector: a CiliumNetworkPolicy always applies in its own namespace."""
    return scope_of(t, policy_namespace)


def peer_scope(t: Translated, policy_namespace: str | None, namespace_labels_widen: bool) -> PodScope:
    """fromEndpoints/toEndpoints/fromRequires/toRequires (getEndpointSelector)."""
    if policy_namespace is None or t.names_namespace:
        return scope_of(t, None)
    if t.names_namespace_labels and namespace_labels_widen:
        return scope_of(t, None)
    return scope_of(t, policy_namespace)


def intersect(a: PodScope, b: PodScope) -> PodScope | None:
    """Pods in both scopes (for fromRequires); None when they cannot overlap."""
    pods = LabelSelector(a.pods.match_labels + b.pods.match_labels,
                         a.pods.match_expressions + b.pods.match_expressions, a.pods.span)
    if a.namespace is not None and b.namespace is not None and a.namespace != b.namespace:
        return None
    if a.namespace_selector is None and b.namespace_selector is None:
        return PodScope(pods, namespace=a.namespace or b.namespace)
    reqs: list[Requirement] = []
    for s in (a, b):
        if s.namespace_selector is not None:
            reqs.extend(_requirements(s.namespace_selector))
        if s.namespace is not None:
            reqs.append(Requirement(NAMESPACE_NAME_LABEL, Operator.IN, (s.namespace,)))
    return PodScope(pods, namespace_selector=LabelSelector((), tuple(reqs)))
