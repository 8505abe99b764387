"""NP105 invalid-peer: an empty peer, or an ipBlock combined with a selector.

## What it flags

An element of `from` or `to` that sets none of `podSelector`, `namespaceSelector` and
`ipBlock` (`- {}`), or that sets `ipBlock` together with `podSelector` or
`namespaceSelector`.

## Why it matters

The API server rejects both, so none of the policy's rules take effect. The second is a
common misreading of the documentation's example, where `ipBlock`, `namespaceSelector`
and `podSelector` are three separate peers (three dashes), not one.

## Example

An ipBlock and a namespaceSelector under one dash.

## Fix

Put the ipBlock in its own peer (its own `-`). To allow everything, omit `from`/`to`
rather than writing an empty peer.

## Options

This rule has no options.

## References

- [NetworkPolicyPeer](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [website#51402: ipBlock with selectors misread](https://github.com/kubernetes/website/issues/51402)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Peer
from policylint.rulespec import RuleContext, RuleSpec


def peer_problem(peer: Peer) -> str | None:
    selectors = [
        name
        for name, sel in (("podSelector", peer.pod_selector), ("namespaceSelector", peer.namespace_selector))
        if sel is not None
    ]
    if peer.ip_block is None and not selectors:
        return "is empty ({}); omit the from/to list to allow all, or add a selector or ipBlock"
    if peer.ip_block is not None and selectors:
        both = " and ".join(selectors)
        return f"combines ipBlock with {both}; put the ipBlock in its own peer (its own '-')"
    return None


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        for i, peer in enumerate(rule.peers or ()):
            problem = peer_problem(peer)
            if problem:
                where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"
                yield Hit(peer.span, f"peer {i + 1} of {where} {problem}")


RULE = RuleSpec(
    id="NP105",
    name="invalid-peer",
    summary="A from/to peer is empty or combines an ipBlock with a selector.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
