"""NP524 nodeport-open-to-internet: a NodePort Service whose backends admit every address.

## What it flags

A Service of `type: NodePort` whose backend pods' policies (every tier) let traffic from outside
the cluster through on the target port, so anyone who can reach a node address reaches the pods.

## Why it matters

A NodePort opens the port on every node of the cluster. Node firewalls are not in the manifests;
when nodes have public addresses, or a load balancer forwards to them, the port is open to the
internet. It is often left over from debugging.

## Example

`type: NodePort` in front of an admin console, in a namespace without ingress policies.

## Fix

Use a ClusterIP Service behind an Ingress, a LoadBalancer with `loadBalancerSourceRanges`, or
restrict the backends' ingress to the clients that need it.

## Options

This rule has no options.

## References

- [Service type NodePort](https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    report = ctx.exposure()
    seen: set[tuple[str, str]] = set()
    for e in report.exposures:
        key = (e.entry.namespace, e.entry.name)
        if e.entry.service_type != "NodePort" or not e.conns or key in seen:
            continue
        seen.add(key)
        w = e.workload
        yield Hit(
            e.span,
            f"NodePort Service {key[0]}/{key[1]} opens port {','.join(map(str, e.service_ports)) or '(allocated)'} "
            f"on every node, reaching {w.namespace}/{w.name}[{w.kind}] on {e.conns} from outside the cluster",
        )


RULE = RuleSpec(
    id="NP524",
    name="nodeport-open-to-internet",
    summary="A NodePort Service whose backends admit traffic from outside the cluster.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
