"""NP208 hostnetwork-selected: a policy or a peer that targets hostNetwork pods, where policies have no effect.

## What it flags

- a policy whose non-empty `spec.podSelector` matches a workload with `hostNetwork: true`
  (pointing at the selector);
- a from/to peer with a non-empty `podSelector` that matches hostNetwork workloads
  (pointing at the peer).

Matching is computed on labels, as if hostNetwork pods were selectable. Empty selectors
(a namespace-wide `podSelector: {}`, a peer with only a namespaceSelector) that happen to
include a hostNetwork workload are not flagged: they do not name it, and a default deny in
a namespace that also runs a node agent (node-exporter) is normal. The rule is silent when the configured
assumptions say hostNetwork pods are selectable like ordinary pods.

## Why it matters

Most network plugins do not apply NetworkPolicy to hostNetwork pods and see their traffic
as node traffic: the selected pod is not isolated at all, and a peer naming it does not
match its traffic (NodeLocal DNSCache is the classic case: DNS egress allowed by selector
is still blocked). Behaviour differs between plugins, which the API leaves undefined.

## Example

A policy meant to protect a hostNetwork node agent, and an egress rule towards
NodeLocal DNS pods selected by label.

## Fix

Protect hostNetwork workloads with host firewalling; reach them with an `ipBlock` of the
node addresses (or the node-local IP, such as 169.254.20.10/32).

## Options

This rule has no options.

## References

- [NetworkPolicy and hostNetwork pods](https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods)
- [kubernetes/website#38267: NodeLocal DNS and policies](https://github.com/kubernetes/website/issues/38267)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.queries.suggest import LabelView, describe_rule, span_or
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    if ctx.assumptions.host_network_selectable:
        return
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    if not view.host_network:
        return
    policy = ctx.policy
    host = 0 if policy.pod_selector.is_empty else view.policy_pods(policy) & view.host_network
    if host:
        yield Hit(
            span_or(policy.pod_selector.span, policy.span),
            f"spec.podSelector {policy.pod_selector} of {policy.ref} selects hostNetwork workload(s) "
            f"{view.refs(host)}, which most plugins do not isolate",
        )
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        for i, peer in enumerate(rule.peers or ()):
            match = view.peer_match(policy, peer)
            if match is None or peer.pod_selector is None or peer.pod_selector.is_empty:
                continue
            host = match.pods & view.host_network
            if host:
                yield Hit(
                    span_or(peer.span, rule.span),
                    f"peer {i + 1} of {describe_rule(policy, rule)} matches hostNetwork workload(s) "
                    f"{view.refs(host)}, whose traffic most plugins do not match by selector; "
                    "use an ipBlock of the node addresses",
                )


RULE = RuleSpec(
    id="NP208",
    name="hostnetwork-selected",
    summary="A policy selects, or a peer names, hostNetwork pods, where NetworkPolicy has no effect.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
