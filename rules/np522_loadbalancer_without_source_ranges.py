"""NP522 loadbalancer-without-source-ranges: a LoadBalancer Service open to every address on a
port that is not a public web port.

## What it flags

A Service of `type: LoadBalancer` without `spec.loadBalancerSourceRanges` that exposes a port
other than the public web ports (`ports` option, default 80 and 443), where its backends'
policies let the traffic through (see `policylint exposure`).

## Why it matters

A cloud load balancer without source ranges accepts connections from the whole internet. For a
web front end that is the point; for a database, an admin console or a metrics port it is
usually an accident that scanners find within hours.

## Example

`type: LoadBalancer` in front of PostgreSQL on 5432, with no `loadBalancerSourceRanges`.

## Fix

Set `loadBalancerSourceRanges` to the client ranges that need it, use an internal load
balancer, or a ClusterIP Service behind an ingress.

## Options

- `ports` (list of integers, default `[80, 443]`): ports that may be open to everyone.

## References

- [Service type LoadBalancer](https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer)
- [Restrict access for LoadBalancer Service](https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    web = {int(p) for p in ctx.options.get("ports", (80, 443))}
    report = ctx.exposure()
    seen: set[tuple[str, str, int]] = set()
    services = {(s.namespace, s.name): s for s in ctx.cluster.services}
    for e in report.exposures:
        svc = services.get((e.entry.namespace, e.entry.name))
        if e.entry.service_type != "LoadBalancer" or svc is None or svc.load_balancer_source_ranges or not e.conns:
            continue
        for port in e.service_ports:
            if port in web or (svc.namespace, svc.name, port) in seen:
                continue
            seen.add((svc.namespace, svc.name, port))
            yield Hit(
                e.span,
                f"LoadBalancer Service {svc.ref} is open to every address on port {port} "
                f"(reaching {e.workload.namespace}/{e.workload.name} on {e.conns}); set loadBalancerSourceRanges",
            )


RULE = RuleSpec(
    id="NP522",
    name="loadbalancer-without-source-ranges",
    summary="A LoadBalancer Service open to every address on a port that is not a public web port.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {"ports": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65535}}},
        "additionalProperties": False,
    },
    defaults={"ports": [80, 443]},
)
