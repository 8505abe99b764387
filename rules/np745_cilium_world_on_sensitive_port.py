"""NP745 cilium-world-on-sensitive-port: `world` or `all` admitted on an administrative port.

## What it flags

A Cilium ingress allow rule whose peers include the `world` or `all` entity (every address
outside the cluster) and whose ports include a sensitive port (SSH, databases, etcd, the
kubelet and API server by default), or every port.

## Why it matters

`fromEntities: [world]` is the same as allowing `0.0.0.0/0`: anyone who can route to the pod
reaches it. On database or administrative ports that is rarely intended.

## Example

A database pod open to `world` on 5432.

## Fix

Name the clients: `fromEndpoints` for pods, `fromCIDRSet` for the networks that need access.

## Options

`ports` lists the sensitive port numbers.

## References

- [Entities based](https://docs.cilium.io/en/stable/security/policy/language/#entities-based)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import PROTOCOLS, Direction
from policylint.model.rule_form import Action
from policylint.queries.cilium import cilium_policies, is_world, rule_conns, rule_text
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    sensitive: list[int] = list(ctx.options["ports"])
    for policy in cilium_policies(ctx.cluster):
        for rule in policy.rules:
            if rule.direction is not Direction.INGRESS or rule.action is not Action.ALLOW:
                continue
            if not any(is_world(m) for m in rule.peers):
                continue
            conns = rule_conns(rule, None)
            hit = [p for p in sensitive if any(conns.contains(proto, p) for proto in PROTOCOLS)]
            if hit:
                yield Hit(rule.origin.span, f"{rule_text(rule)} admits every outside address (world/all) on "
                          f"sensitive port {', '.join(map(str, hit[:5]))}; name the clients instead")


RULE = RuleSpec(
    id="NP745",
    name="cilium-world-on-sensitive-port",
    summary="A Cilium rule admits the world or all entity on a sensitive port.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "ports": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65535},
                      "description": "Port numbers that outside addresses should not reach."},
        },
        "additionalProperties": False,
    },
    defaults={"ports": [22, 2379, 2380, 3306, 5432, 6379, 6443, 9200, 10250, 27017]},
)
