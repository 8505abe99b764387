"""NP202 peer-selects-nothing: a from/to peer whose selectors match no workload or no namespace.

## What it flags

A peer of an ingress `from` or egress `to` list whose `namespaceSelector` matches no
namespace, or whose non-empty `podSelector` matches no workload of the namespaces it
searches (the policy's own namespace when the peer has no `namespaceSelector`). The message
suggests the nearest existing label ("did you mean `app: frontend`?").

Not flagged, because nothing can be concluded from the input:
- an empty `podSelector: {}` (every pod, even in a namespace without workloads yet);
- a podSelector searching namespaces that hold no workload in the input (a namespace only
  referred to, whose workloads live elsewhere);
- a `kubernetes.io/metadata.name` selector naming a namespace absent from the input, unless
  the name is a near miss of a namespace that is present (a typo); a well-known namespace
  (`kube-system`, `ingress-nginx`, `monitoring`, `cert-manager`, ... listed in
  `policylint/queries/outside.py`) is a real reference and never gets a rename suggestion;
- a namespaceSelector using a label key no namespace carries (that is NP203);
- policies without rules (deny-all) and rules without peers (they allow everything).

A repository seldom holds the whole cluster (the clients may run from another repository, a
chart, or pods an operator creates). So the message says the peer matches nothing *of the
input* and admits only pods outside it, and the severity follows the evidence: a **warning**
when z3 proves that no pod that could exist matches the peer (its terms contradict each other)
or when the input holds a near miss of the label, at most two edits away (likely a typo; the
message suggests the fix),
an **info** otherwise. A podSelector naming a value that a controller writes at run time
(`pod-template-hash`, `controller-uid`, `statefulset.kubernetes.io/pod-name`...) is an info
without a rename suggestion.

## Why it matters

A peer that matches nothing allows nothing: the traffic it was written for is dropped once
the pods are isolated. It is almost always a typo or a label renamed on one side only.

## Example

A podSelector with a typo and a namespaceSelector with a value no namespace carries.

## Fix

Use the labels the workloads and namespaces actually carry.

## Options

This rule has no options.

## References

- [NetworkPolicyPeer](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Behavior of to and from selectors](https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from policylint.engine.bitset import bit_indices
from policylint.engine.smt import Pods, SmtEngine
from policylint.findings import Hit, Severity
from policylint.model.policy import NetworkPolicy, Peer
from policylint.model.selector import LabelSelector, Operator
from policylint.model.workload import NAMESPACE_NAME_LABEL
from policylint.queries.outside import TYPO_EDITS, WELL_KNOWN_NAMESPACES, controller_keys, engine, matchable
from policylint.queries.suggest import LabelView, describe_rule, did_you_mean, span_or
from policylint.rulespec import RuleContext, RuleSpec

Smt = Callable[[], SmtEngine | None]  # built on first use


def selector_keys(selector: LabelSelector) -> set[str]:
    """Keys a namespace must carry to match (DoesNotExist/NotIn also match namespaces without it)."""
    keys = {k for k, _ in selector.match_labels}
    return keys | {r.key for r in selector.match_expressions if r.operator in (Operator.IN, Operator.EXISTS)}


def named_namespaces(selector: LabelSelector) -> set[str]:
    """The namespace names a selector requires by `kubernetes.io/metadata.name`."""
    names = {v for k, v in selector.match_labels if k == NAMESPACE_NAME_LABEL}
    for r in selector.match_expressions:
        if r.key == NAMESPACE_NAME_LABEL and r.operator is Operator.IN:
            names.update(r.values)
    return names


def impossible(smt: Smt, policy: NetworkPolicy, peer: Peer) -> bool:
    """z3 proves that no pod that could exist matches the peer's selectors."""
    ns = None if peer.namespace_selector is not None else policy.namespace
    spec = Pods(namespace=ns, namespace_selector=peer.namespace_selector, pod_selector=peer.pod_selector)
    return matchable(smt(), spec).proved


def namespace_hit(view: LabelView, smt: Smt, policy: NetworkPolicy, peer: Peer, where: str) -> Iterator[Hit]:
    ns_sel = peer.namespace_selector
    assert ns_sel is not None
    keys = selector_keys(ns_sel)
    at = span_or(ns_sel.span, peer.span)
    if impossible(smt, policy, peer):
        yield Hit(at, f"namespaceSelector {ns_sel} in {where} matches no namespace that could exist: "
                      "its terms contradict each other")  # fmt: skip
        return
    if named_namespaces(ns_sel) & WELL_KNOWN_NAMESPACES:
        return  # a well-known namespace the input does not hold: a reference, not a typo
    hint = did_you_mean(ns_sel, view.namespace_pool, TYPO_EDITS)
    if keys - set(view.namespace_pool) or (NAMESPACE_NAME_LABEL in keys and not hint):
        return  # an unknown key (NP203) or a namespace that is only absent from the input
    yield Hit(
        at,
        f"namespaceSelector {ns_sel} in {where} matches no namespace of the input, only namespaces outside it{hint}",
        severity=None if hint else Severity.INFO,  # a near miss of the input's labels: likely a typo
    )


def peer_hits(view: LabelView, smt: Smt, policy: NetworkPolicy, peer: Peer, where: str) -> Iterator[Hit]:
    match = view.peer_match(policy, peer)
    if match is None:
        return
    if peer.namespace_selector is not None and not match.namespaces:
        yield from namespace_hit(view, smt, policy, peer, where)
        return
    pod_sel = peer.pod_selector
    if pod_sel is None or pod_sel.is_empty or not match.known_pods or match.pods:
        return
    names = [view.index.namespace_names[i] for i in bit_indices(match.namespaces)]
    scope = f"namespace {names[0]}" if len(names) == 1 else f"namespaces {', '.join(names[:3])}"
    if len(names) > 3:
        scope += f" and {len(names) - 3} more"
    at = span_or(pod_sel.span, peer.span)
    if impossible(smt, policy, peer):
        yield Hit(at, f"podSelector {pod_sel} in {where} matches no pod that could exist in {scope}: "
                      "its terms contradict each other")  # fmt: skip
        return
    keys = controller_keys(pod_sel)
    hint = ""
    if keys:
        message = (f"podSelector {pod_sel} in {where} names a value of {', '.join(keys)}, which a controller sets "
                   f"on pods at run time: no workload of the input in {scope} carries it, and the input cannot "
                   "show which pods of the cluster do")  # fmt: skip
    else:
        hint = did_you_mean(pod_sel, view.pod_pool(match.namespaces), TYPO_EDITS)
        message = (f"podSelector {pod_sel} in {where} matches no workload of the input in {scope}, "
                   f"only pods outside it{hint}")  # fmt: skip
    yield Hit(at, message, severity=None if hint else Severity.INFO)


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        for i, peer in enumerate(rule.peers or ()):
            where = f"peer {i + 1} of {describe_rule(policy, rule)}"
            yield from peer_hits(view, lambda: engine(ctx), policy, peer, where)


RULE = RuleSpec(
    id="NP202",
    name="peer-selects-nothing",
    summary="A from/to peer's podSelector matches no workload, or its namespaceSelector no namespace.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
