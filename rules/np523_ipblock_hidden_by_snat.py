"""NP523 ipblock-hidden-by-snat: an ipBlock meant for client addresses on the
backend of a Service that hides them (`externalTrafficPolicy: Cluster`).

## What it flags

An ingress rule whose peers are only ipBlocks narrower than a whole address family, on a pod that
is a backend of a LoadBalancer or NodePort Service with `externalTrafficPolicy: Cluster` (the
default), where the rule's ports cover the Service's target port. An ipBlock overlapping the node
address ranges of `.policylint.yaml` (`exposure: {node_cidrs: [...]}`) is not flagged: it admits
the translated traffic.

## Why it matters

With `Cluster`, kube-proxy forwards external clients from a node address (SNAT): the pod sees the
node, not the client, so an ipBlock listing client ranges admits none of them. The traffic is
then blocked, or admitted only by some broader rule, and the ipBlock gives a false sense of
control.

## Example

`from: [{ipBlock: {cidr: 203.0.113.0/24}}]` on the backends of a LoadBalancer Service that leaves
`externalTrafficPolicy` unset.

## Fix

Set `externalTrafficPolicy: Local` on the Service so that the client address is kept, or restrict
clients with `loadBalancerSourceRanges` and admit the node range in the policy.

## Options

This rule has no options.

## References

- [Preserving the client source IP](https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip)
- [NetworkPolicy ipBlock and SNAT](https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model import Direction
from policylint.queries.services import member_port, members
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev = ctx.evaluator
    nodes = [ipaddress.ip_network(n, strict=False) for n in ctx.node_cidrs]
    flagged: set[tuple[int, int]] = set()
    for svc in ctx.cluster.services:
        if svc.type not in ("LoadBalancer", "NodePort") or svc.external_traffic_policy == "Local":
            continue
        for b, listed in members(ev, svc).items():
            pod = ev.workloads[b]
            if not ev.is_isolated(b, Direction.INGRESS):
                continue
            for rule in ev.rules_for(b, Direction.INGRESS):
                peers = rule.rule.peers or ()
                blocks = [p.ip_block for p in peers if p.ip_block is not None]
                if not peers or len(blocks) < len(peers) or (b, id(rule.rule)) in flagged:
                    continue
                if all(blk.network is not None and blk.network.prefixlen == 0 for blk in blocks):
                    continue  # 0.0.0.0/0 admits node addresses too
                if any(blk.network is not None and blk.network.version == n.version and blk.network.overlaps(n)
                       for blk in blocks for n in nodes):  # fmt: skip
                    continue  # it admits the configured node ranges (exposure.node_cidrs): the SNATed traffic
                ports = rule.ports.for_destination(pod)
                if not any((tp := member_port(ev, b, listed, sp)) is not None
                           and ports.contains(sp.protocol, tp) for sp in svc.ports):  # fmt: skip
                    continue
                flagged.add((b, id(rule.rule)))
                yield Hit(
                    rule.rule.span,
                    f"{rule.policy.ref} ingress rule {rule.rule.index + 1} admits ipBlocks, "
                    f"but Service {svc.ref} (externalTrafficPolicy: Cluster) forwards clients from node addresses, "
                    "so client ranges never match; set externalTrafficPolicy: Local",
                )


RULE = RuleSpec(
    id="NP523",
    name="ipblock-hidden-by-snat",
    summary="An ipBlock for client ranges behind a Service that SNATs them (externalTrafficPolicy: Cluster).",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
