"""NP101 invalid-ipblock: an ipBlock whose cidr or except the API server rejects.

## What it flags

An `ipBlock` whose `cidr` is not a CIDR (`10.0.0.0/33`, `10.0.0.1` without a prefix
length, `10.0.0.0/8 ` with a typo), or an `except` entry that is not a CIDR or is not a
strict subset of the block's `cidr` (outside it, equal to it, or of the other IP family).

## Why it matters

The API server rejects the whole NetworkPolicy, so none of its rules take effect. An
`except` outside its `cidr` was accepted by old API servers (before Kubernetes 1.18) and
silently excluded nothing, so a manifest that once applied may now fail, or may still be
running unchanged on an old cluster, admitting the addresses you meant to exclude.

## Example

An except range that lies outside the block it is meant to carve out.

## Fix

Write each `except` inside the `cidr`, or widen the `cidr`.

## Options

This rule has no options.

## References

- [NetworkPolicy IPBlock](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [kubernetes#86578: validate except within cidr](https://github.com/kubernetes/kubernetes/pull/86578)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from policylint.findings import Hit, Severity, Span
from policylint.model.policy import IPBlock
from policylint.rulespec import RuleContext, RuleSpec

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_cidr(text: str) -> Network | None:
    """A CIDR as the API server accepts it: address/prefix, host bits allowed (see NP102)."""
    if "/" not in text or text != text.strip():
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def cidr_problem(text: str) -> str:
    if "/" not in text:
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return "is not a CIDR"
        suffix = "/32" if ":" not in text else "/128"
        return f"has no prefix length; did you mean {text}{suffix}?"
    return "is not a valid CIDR"


def block_hits(block: IPBlock, where: str) -> Iterator[Hit]:
    cidr = parse_cidr(block.cidr)
    if cidr is None:
        yield Hit(block.span, f"ipBlock cidr {block.cidr!r} in {where} {cidr_problem(block.cidr)}")
        return
    for i, text in enumerate(block.except_):
        span: Span = block.except_spans[i] if i < len(block.except_spans) else block.span
        ex = parse_cidr(text)
        if ex is None:
            yield Hit(span, f"ipBlock except {text!r} in {where} {cidr_problem(text)}")
        elif ex.version != cidr.version or not ex.subnet_of(cidr) or ex.prefixlen <= cidr.prefixlen:  # type: ignore[arg-type]
            yield Hit(span, f"ipBlock except {text} in {where} is not inside its cidr {block.cidr}")


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"
        for peer in rule.peers or ():
            if peer.ip_block is not None:
                yield from block_hits(peer.ip_block, where)


RULE = RuleSpec(
    id="NP101",
    name="invalid-ipblock",
    summary="An ipBlock cidr or except is not a valid CIDR, or an except lies outside its cidr.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
