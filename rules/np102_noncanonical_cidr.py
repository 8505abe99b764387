"""NP102 noncanonical-cidr: an ipBlock CIDR with host bits set, such as `192.168.1.1/24`.

## What it flags

An ipBlock `cidr` or `except` entry whose address has bits set beyond the prefix length,
for example `192.168.1.1/24` instead of `192.168.1.0/24`.

## Why it matters

The API server accepts it, but its meaning is ambiguous: most network plugins mask it to
the network (`192.168.1.0/24`), some have read it as the single address, and the
Kubernetes validation of IPs and CIDRs is being tightened (KEP-4858) so such values may be
rejected in a future release. A reader cannot tell whether one host or a whole subnet was
meant.

## Example

`cidr: 10.0.0.5/24` was probably meant as either `10.0.0.0/24` or `10.0.0.5/32`.

## Fix

Write the canonical network address, or a /32 (/128) for a single host.

## Options

This rule has no options.

## References

- [kubernetes#94484: non-canonical CIDRs](https://github.com/kubernetes/kubernetes/pull/94484)
- [KEP-4858: IP/CIDR validation improvements](https://github.com/kubernetes/enhancements/pull/4899)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from policylint.findings import Hit, Severity, Span
from policylint.rulespec import RuleContext, RuleSpec


def noncanonical(text: str) -> str | None:
    """The suggestion for a CIDR with host bits set; None when canonical or not a CIDR (NP101)."""
    if "/" not in text:
        return None
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    address = text.split("/", 1)[0]
    if ipaddress.ip_address(address) == net.network_address:
        return None
    host = f"{address}/{net.max_prefixlen}"
    return f"did you mean {net} (or {host} for the single address)?"


def cidr_texts(ctx: RuleContext) -> Iterator[tuple[str, Span, str]]:
    policy = ctx.policy
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"
        for peer in rule.peers or ():
            block = peer.ip_block
            if block is None:
                continue
            yield block.cidr, block.span, f"ipBlock cidr {block.cidr} in {where}"
            for i, text in enumerate(block.except_):
                span = block.except_spans[i] if i < len(block.except_spans) else block.span
                yield text, span, f"ipBlock except {text} in {where}"


def check(ctx: RuleContext) -> Iterator[Hit]:
    for text, span, what in cidr_texts(ctx):
        suggestion = noncanonical(text)
        if suggestion:
            yield Hit(span, f"{what} has host bits set; {suggestion}")


RULE = RuleSpec(
    id="NP102",
    name="noncanonical-cidr",
    summary="An ipBlock CIDR has host bits set, which plugins may interpret differently.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
