"""NP732 cni-feature-unsupported: a NetworkPolicy uses a feature the network plugin does not support.

## What it flags

Under a `cni:` setting, NetworkPolicy ports the plugin does not implement: `protocol: SCTP`
where the plugin has no SCTP support (or has it off by default), `endPort` where the plugin
applies only `port`, and named ports in egress rules where the plugin does not resolve them.

## Why it matters

The API server accepts these fields whatever the plugin; the plugin then ignores the rule or
applies less of it than written, so the traffic the rule was meant to admit is dropped (or,
with a deny-all elsewhere, never admitted).

## Example

An `endPort` range linted with `cni: weave`.

## Fix

List the ports one by one, use numbers instead of names, or pick a plugin that supports the
feature (see `policylint/cni/profiles.json` for sources).

## Options

This rule has no options.

## References

- [NetworkPolicy: targeting a range of ports](https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports)
- [NetworkPolicy: SCTP support](https://kubernetes.io/docs/concepts/services-networking/network-policies/#sctp-support)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.cni import profile
from policylint.findings import Hit, Severity
from policylint.model.policy import Direction, PortSpec, Protocol
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    plugin = profile(ctx.cni)
    for policy in ctx.policy.rules(Direction.INGRESS) + ctx.policy.rules(Direction.EGRESS):
        for spec in policy.ports or ():
            problem = _unsupported(plugin.sctp, plugin.end_port, plugin.named_ports_egress, policy.direction, spec)
            if problem:
                yield Hit(spec.span, f"{ctx.policy.ref} {policy.direction.value.lower()} rule {policy.index + 1}: "
                          f"{plugin.title} {problem}")  # fmt: skip


def _unsupported(sctp: bool | None, end_port: bool | None, named_egress: bool | None, direction: Direction,
                 spec: PortSpec) -> str:  # fmt: skip
    if spec.protocol is Protocol.SCTP and sctp is False:
        return "does not enforce SCTP rules"
    if spec.end_port is not None and end_port is False:
        return f"ignores endPort: only port {spec.port} is admitted, not the range up to {spec.end_port}"
    if isinstance(spec.port, str) and direction is Direction.EGRESS and named_egress is False:
        return f"does not resolve named port {spec.port!r} in egress rules"
    return ""


RULE = RuleSpec(
    id="NP732",
    name="cni-feature-unsupported",
    summary="A NetworkPolicy port uses a feature the configured network plugin does not support.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
