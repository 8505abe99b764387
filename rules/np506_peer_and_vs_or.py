"""NP506 peer-and-vs-or: a namespaceSelector peer and a podSelector peer that were meant as one.

## What it flags

Two consecutive elements of a `from` (`to`) list, one with only a `namespaceSelector` and one
with only a non-empty `podSelector`: the shape of the one-dash mistake. The finding shows both
readings. A separate `podSelector: {}` ("my own namespace") is not reported.

## Why it matters

One list element holding both selectors means "pods matching the podSelector in namespaces
matching the namespaceSelector" (AND). Two elements mean "every pod of those namespaces, or the
matching pods of the policy's own namespace" (OR). A single extra `-` turns a narrow rule into
one that admits whole namespaces.

## Example

`- namespaceSelector: {team: ops}` followed by `- podSelector: {app: agent}`.

## Fix

If you meant AND, delete the `-` before `podSelector` so both selectors sit in one element. If
you meant OR, keep them, and consider a comment saying so.

## Options

This rule has no options.

## References

- [Behavior of to and from selectors](https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model import Peer
from policylint.rulespec import RuleContext, RuleSpec


def namespace_only(peer: Peer) -> bool:
    return peer.namespace_selector is not None and peer.pod_selector is None and peer.ip_block is None


def pod_only(peer: Peer) -> bool:
    pods = peer.pod_selector
    return pods is not None and not pods.is_empty and peer.namespace_selector is None and peer.ip_block is None


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        peers = rule.peers or ()
        for i in range(1, len(peers)):
            a, b = peers[i - 1], peers[i]
            ns_peer, pod_peer = (a, b) if namespace_only(a) else (b, a)
            if not (namespace_only(ns_peer) and pod_only(pod_peer)):
                continue
            ns, pods = ns_peer.namespace_selector, pod_peer.pod_selector
            where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"
            yield Hit(
                b.span,
                f"peers {i} and {i + 1} of {where} are two peers (OR): every pod in namespaces {ns}, or pods "
                f"{pods} in namespace {policy.namespace}; if you meant pods {pods} in namespaces {ns} (AND), "
                "delete the '-' before the second selector",
            )


RULE = RuleSpec(
    id="NP506",
    name="peer-and-vs-or",
    summary="A from/to list holds a namespaceSelector-only peer next to a podSelector-only peer (OR, not AND).",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
