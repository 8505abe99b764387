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
  the name is a near miss of a namespace that is present (a typo);
- a namespaceSelector using a label key no namespace carries (that is NP203);
- policies without rules (deny-all) and rules without peers (they allow everything).

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

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.findings import Hit, Severity
from policylint.model.policy import NetworkPolicy, Peer
from policylint.model.selector import LabelSelector, Operator
from policylint.model.workload import NAMESPACE_NAME_LABEL
from policylint.queries.suggest import LabelView, describe_rule, did_you_mean, span_or
from policylint.rulespec import RuleContext, RuleSpec


def selector_keys(selector: LabelSelector) -> set[str]:
    """Keys a namespace must carry to match (DoesNotExist/NotIn also match namespaces without it)."""
    keys = {k for k, _ in selector.match_labels}
    return keys | {r.key for r in selector.match_expressions if r.operator in (Operator.IN, Operator.EXISTS)}


def peer_hits(view: LabelView, policy: NetworkPolicy, peer: Peer, where: str) -> Iterator[Hit]:
    match = view.peer_match(policy, peer)
    if match is None:
        return
    ns_sel = peer.namespace_selector
    if ns_sel is not None and not match.namespaces:
        keys = selector_keys(ns_sel)
        hint = did_you_mean(ns_sel, view.namespace_pool)
        if keys - set(view.namespace_pool) or (NAMESPACE_NAME_LABEL in keys and not hint):
            return  # an unknown key (NP203) or a namespace that is only absent from the input
        yield Hit(span_or(ns_sel.span, peer.span), f"namespaceSelector {ns_sel} in {where} matches no namespace{hint}")
        return
    pod_sel = peer.pod_selector
    if pod_sel is None or pod_sel.is_empty or not match.known_pods or match.pods:
        return
    names = [view.index.namespace_names[i] for i in bit_indices(match.namespaces)]
    scope = f"namespace {names[0]}" if len(names) == 1 else f"namespaces {', '.join(names[:3])}"
    if len(names) > 3:
        scope += f" and {len(names) - 3} more"
    hint = did_you_mean(pod_sel, view.pod_pool(match.namespaces))
    message = f"podSelector {pod_sel} in {where} matches no workload in {scope}{hint}"
    yield Hit(span_or(pod_sel.span, peer.span), message)


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        for i, peer in enumerate(rule.peers or ()):
            yield from peer_hits(view, policy, peer, f"peer {i + 1} of {describe_rule(policy, rule)}")


RULE = RuleSpec(
    id="NP202",
    name="peer-selects-nothing",
    summary="A from/to peer's podSelector matches no workload, or its namespaceSelector no namespace.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
