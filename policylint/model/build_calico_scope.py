"""Calico selectors scoped the way Calico scopes them, as pod scopes and network-set matches.

Calico evaluates every selector on one label set per endpoint: the endpoint's own labels, its
namespace as `projectcalico.org/namespace`, and the namespace's labels prefixed `pcns.`
(libcalico-go `lib/backend/k8s/conversion`, NamespaceLabelPrefix). A rule's `namespaceSelector`
becomes a `pcns.` selector (`all()`: any namespaced endpoint, `global()`: none), and in a
namespaced policy a rule with a selector, notSelector or namespaceSelector is ANDed with the
policy's namespace unless it has its own namespaceSelector (libcalico-go
`lib/backend/syncersv1/updateprocessors/rules.go`, getEndpointSelector). Here the namespace part
of each alternative becomes a PodScope namespace selector on the namespace's own labels
(`projectcalico.org/name` and `projectcalico.org/namespace` spelt `kubernetes.io/metadata.name`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policylint.model.calico_selector import ALL, GLOBAL, And, Node, Not, Or, Term, evaluate, map_terms, to_dnf
from policylint.model.rule_form import PodScope
from policylint.model.selector import LabelSelector, Operator, Requirement
from policylint.model.workload import NAMESPACE_NAME_LABEL, Namespace

NAMESPACE_KEY = "projectcalico.org/namespace"
NAME_KEY = "projectcalico.org/name"
PREFIX = "pcns."


@dataclass(frozen=True, slots=True)
class NetSet:
    """A NetworkSet (namespace set) or GlobalNetworkSet (namespace None): labelled addresses."""

    name: str
    namespace: str | None
    labels: dict[str, str]
    nets: tuple[str, ...]


def namespace_selector(node: Node) -> Node:
    """A rule's namespaceSelector as an endpoint selector over `pcns.` labels."""
    return map_terms(node, _on_namespace_labels)


def _on_namespace_labels(term: Term) -> Node:
    if term is ALL or term == ALL:
        return Term(NAMESPACE_KEY, Operator.EXISTS)
    if term == GLOBAL:
        return Not(Term(NAMESPACE_KEY, Operator.EXISTS))
    return Term(PREFIX + term.key, term.op, term.values)


def in_namespace(namespace: str) -> Node:
    return Term(NAMESPACE_KEY, Operator.IN, (namespace,))


def pod_scopes(node: Node) -> tuple[PodScope, ...]:
    """The pods an endpoint selector matches: one scope per DNF alternative."""
    out: list[PodScope] = []
    for alt in to_dnf(node, is_global=False):
        pods = [r for r in alt.match_expressions if not _about_namespace(r.key)]
        nss = [_namespace_requirement(r) for r in alt.match_expressions if _about_namespace(r.key)]
        ns_sel = LabelSelector((), tuple(nss)) if nss else None
        out.append(PodScope(LabelSelector((), tuple(pods)), namespace_selector=ns_sel))
    return tuple(dict.fromkeys(out))


def _about_namespace(key: str) -> bool:
    return key == NAMESPACE_KEY or key.startswith(PREFIX)


def _namespace_requirement(r: Requirement) -> Requirement:
    key = r.key[len(PREFIX) :] if r.key.startswith(PREFIX) else NAMESPACE_KEY
    if key in (NAMESPACE_KEY, NAME_KEY):
        key = NAMESPACE_NAME_LABEL
    return Requirement(key, r.operator, r.values, r.span)


def matched_sets(node: Node, sets: Sequence[NetSet], namespaces: dict[str, Namespace]) -> list[NetSet]:
    """The network sets an endpoint selector matches, each seen with its namespace's labels."""
    return [s for s in sets if evaluate(node, set_labels(s, namespaces), is_global=s.namespace is None)]


def set_labels(s: NetSet, namespaces: dict[str, Namespace]) -> dict[str, str]:
    if s.namespace is None:
        return dict(s.labels)
    ns = namespaces.get(s.namespace)
    ns_labels = {**(ns.labels if ns else {}), NAME_KEY: s.namespace, NAMESPACE_NAME_LABEL: s.namespace}
    return {**s.labels, NAMESPACE_KEY: s.namespace, **{PREFIX + k: v for k, v in ns_labels.items()}}


# Calico labels every workload endpoint with its pod's service account name (`spec.serviceAccountName`,
# "default" when unset) and, prefixed `pcsa.`, with the account's own labels; a rule's
# `serviceAccounts.names` becomes `projectcalico.org/serviceaccount in {..}` ANDed with its selector
# and a `serviceAccountSelector` is rewritten onto `pcsa.` labels (libcalico-go
# `updateprocessors/rules.go`, parseServiceAccounts; docs.tigera.io/calico/latest/reference/resources/
# networkpolicy#serviceaccountmatch). ServiceAccount objects are not read, so of an account's labels only
# its automatic `projectcalico.org/name` (calico-labels: "Labels for matching service accounts") is known.
SERVICE_ACCOUNT_KEY = "projectcalico.org/serviceaccount"


def service_account_node(names: Sequence[str], selector: Node | None) -> tuple[Node | None, bool]:
    """The endpoint selector for `names` and a service-account `selector`, and whether the selector
    could be modelled (only `projectcalico.org/name` terms can; otherwise it is left out)."""
    parts: list[Node] = []
    modelled = selector is None or _names_only(selector)
    if selector is not None and modelled:
        parts.append(map_terms(selector, _on_account_name))
    if names:
        parts.append(Term(SERVICE_ACCOUNT_KEY, Operator.IN, tuple(names)))
    if not parts:
        return None, modelled
    return (parts[0] if len(parts) == 1 else And(tuple(parts))), modelled


def _names_only(node: Node) -> bool:
    if isinstance(node, Not):
        return _names_only(node.node)
    if isinstance(node, And | Or):
        return all(_names_only(n) for n in node.nodes)
    return node.op is None and node.key == "" or node.key == NAME_KEY


def _on_account_name(term: Term) -> Node:
    return term if term.op is None else Term(SERVICE_ACCOUNT_KEY, term.op, term.values)
