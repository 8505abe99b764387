"""NP305 cloud-metadata-egress: an egress rule that admits the cloud metadata endpoint.

## What it flags

An egress rule in effect that admits TCP port 80 (option `port`) to a cloud instance
metadata address (option `addresses`: `169.254.169.254` and `fd00:ec2::254` by default):
- through an ipBlock containing the address and not excepting it (pointing at the peer),
  e.g. `0.0.0.0/0` or `169.254.0.0/16`;
- or because `to` is absent or empty (pointing at the rule).

Only rules that admit the address are flagged by default. A workload that no policy isolates
for egress also reaches the endpoint; those are reported by NP306 (workload-not-isolated),
or here, at the workload, when `include_unisolated` is on. hostNetwork workloads are never
reported: their traffic is node traffic.

## Why it matters

The metadata service hands out the node's cloud credentials and bootstrap secrets to any
pod that reaches it (the Capital One breach went through it). A broad egress allowance such
as `0.0.0.0/0` for "internet access" includes it unless it is excepted.

## Example

"Internet access" through `0.0.0.0/0`, and an egress rule without `to`.

## Fix

Add `except: [169.254.169.254/32]` to the ipBlock (and `fd00:ec2::254/128` for IPv6), or
list narrower destinations. Blocking the metadata service at the node (IMDSv2 hop limit,
GKE metadata concealment) is a good second layer.

## Options

Add your cloud's metadata address to `addresses` (Alibaba Cloud: `100.100.100.200`).
Turn on `include_unisolated` to also list every workload that reaches it for lack of any
egress policy.

## References

- [NetworkPolicy IPBlock except](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [AWS: restrict access to the instance metadata service](https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from policylint.engine.ports import rule_ports
from policylint.findings import Hit, Severity
from policylint.model.policy import Direction, IPBlock, NetworkPolicy, Protocol
from policylint.queries.suggest import describe_rule, span_or
from policylint.rulespec import RuleContext, RuleSpec

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def contains(block: IPBlock, address: Address) -> bool:
    if block.network is None or address not in block.network:
        return False
    return not any(ex is not None and address in ex for ex in block.except_networks)


def policy_hits(policy: NetworkPolicy, addresses: Sequence[Address], port: int) -> Iterator[Hit]:
    for rule in policy.rules(Direction.EGRESS):
        if not rule_ports(rule.ports).numeric.contains(Protocol.TCP, port):
            continue
        where = describe_rule(policy, rule)
        if not rule.peers:
            yield Hit(
                rule.span,
                f"{where} admits the cloud metadata endpoint {addresses[0]}:{port} (no `to`: "
                "every destination); list the destinations, or use an ipBlock excepting it",
            )
            continue
        for peer in rule.peers:
            hit = [a for a in addresses if peer.ip_block is not None and contains(peer.ip_block, a)]
            if hit and peer.ip_block is not None:
                cidr = ipaddress.ip_network(hit[0]).with_prefixlen
                yield Hit(
                    span_or(peer.ip_block.span, peer.span),
                    f"ipBlock {peer.ip_block.cidr} in {where} admits "
                    f"the cloud metadata endpoint {hit[0]}:{port}; add `except: [{cidr}]`",
                )


def check(ctx: RuleContext) -> Iterator[Hit]:
    addresses = [parsed for text in ctx.options.get("addresses", ()) if (parsed := parse(text)) is not None]
    port = int(ctx.options.get("port", 80))
    if not addresses:
        return
    for policy in ctx.cluster.policies:
        yield from policy_hits(policy, addresses, port)
    if ctx.options.get("include_unisolated"):
        ev = ctx.evaluator
        for i, w in enumerate(ctx.cluster.workloads):
            if not w.host_network and not ev.is_isolated(i, Direction.EGRESS):
                yield Hit(
                    w.span,
                    f"{w.ref} reaches the cloud metadata endpoint {addresses[0]}:{port}: "
                    "no policy isolates it for egress",
                )


RULE = RuleSpec(
    id="NP305",
    name="cloud-metadata-egress",
    summary="An egress rule admits the cloud instance metadata endpoint (169.254.169.254).",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "addresses": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Metadata endpoint addresses (IPv4 or IPv6).",
            },
            "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "Metadata endpoint TCP port."},
            "include_unisolated": {
                "type": "boolean",
                "description": "Also report each workload that reaches the endpoint as nothing isolates its egress.",
            },
        },
        "additionalProperties": False,
    },
    defaults={"addresses": ["169.254.169.254", "fd00:ec2::254"], "port": 80, "include_unisolated": False},
)
