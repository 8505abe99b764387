"""NP303 allows-all-namespaces: a peer with `namespaceSelector: {}` that no podSelector narrows.

## What it flags

A from/to peer of a rule in effect whose `namespaceSelector` is empty (`{}`) and whose
`podSelector` is absent or empty: it matches every pod of every namespace, present and
future. A peer that pairs `namespaceSelector: {}` with a non-empty podSelector ("pods
labelled `app: prometheus` in any namespace") is deliberate and not flagged.

## Why it matters

Every workload of the cluster, including those of other teams and tenants, and any
namespace created later, gets the access. It is frequently meant as "my namespace", which is
`podSelector: {}` alone, or as "the monitoring namespace", which needs a label.

## Example

An ingress rule admitting `namespaceSelector: {}` on the database port.

## Fix

Select the namespaces that need access by label (`kubernetes.io/metadata.name: <name>`), or
add a podSelector naming the clients.

## Options

This rule has no options.

## References

- [NetworkPolicyPeer namespaceSelector](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Behavior of to and from selectors](https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.queries.suggest import describe_rule, ports_text, selects_every_pod, span_or
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    for rule in policy.rules(Direction.INGRESS) + policy.rules(Direction.EGRESS):
        for i, peer in enumerate(rule.peers or ()):
            if selects_every_pod(peer):
                yield Hit(
                    span_or(peer.span, rule.span),
                    f"peer {i + 1} of {describe_rule(policy, rule)} matches every pod of every namespace "
                    f"(namespaceSelector {{}} without a podSelector) {ports_text(rule)}; "
                    "select the namespaces by label or add a podSelector",
                )


RULE = RuleSpec(
    id="NP303",
    name="allows-all-namespaces",
    summary="A peer's empty namespaceSelector, not narrowed by a podSelector, matches every pod of every namespace.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
