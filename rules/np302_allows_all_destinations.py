"""NP302 allows-all-destinations: an egress rule open to every destination, external addresses included.

## What it flags

An egress rule, in effect under its policy's `policyTypes`, that admits every destination:
- `to` is absent or empty; or
- its peers cover every pod of every namespace (`namespaceSelector: {}`) and every address
  of at least one IP family (`0.0.0.0/0` or `::/0` without `except`, or blocks adding up to
  it; in a single-stack cluster one family is every address).

Assuming ipBlocks also match pod addresses, a whole-family ipBlock alone is enough. Rules
whose ports are all listed in `exempt_ports` are skipped: by default port 53, because
"DNS to anywhere" (`- ports: [{port: 53, protocol: UDP}, {port: 53}]`) is the usual and
harmless way to allow name resolution.

One rule, one finding: where this rule fires, NP304 (all ports) and NP305 (cloud metadata
endpoint, reached because every destination is) step aside on the same rule; `egress: [{}]` is
reported once, here.

## Why it matters

The selected pods can open connections to every pod of the cluster and to the internet:
the egress policy does not limit lateral movement or exfiltration, which is what it is for.

## Example

An egress rule with ports but no `to`, and one with `namespaceSelector: {}` and
`0.0.0.0/0`.

## Fix

List the destinations the workload needs: its backends by selector, external services
by a narrow ipBlock.

## Options

`exempt_ports` lists port numbers that may be open to every destination (all of a rule's
ports must be listed); the default is `[53]`, DNS.

## References

- [NetworkPolicyEgressRule](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Allow all egress traffic](https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-egress-traffic)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.queries.suggest import describe_rule, open_to_everyone, ports_text
from policylint.rulespec import RuleContext, RuleSpec

DIRECTION = Direction.EGRESS


def check(ctx: RuleContext) -> Iterator[Hit]:
    exempt_ports = set(ctx.options.get("exempt_ports", ()))
    for rule, why in open_to_everyone(ctx.policy, DIRECTION, exempt_ports, ctx.assumptions.ipblocks_match_pods):
        yield Hit(
            rule.span,
            f"{describe_rule(ctx.policy, rule)} admits every destination, external addresses included, "
            f"{ports_text(rule)}: {why}; list the destinations the workload needs",
        )


RULE = RuleSpec(
    id="NP302",
    name="allows-all-destinations",
    summary="An egress rule admits every destination, pods and external addresses alike.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
    supersedes=("NP304", "NP305"),  # `ingress/egress: [{}]` is one finding, this rule's
    options_schema={
        "type": "object",
        "properties": {
            "exempt_ports": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 65535},
                "description": "Port numbers a rule may open to every destination (all of its ports must be listed).",
            }
        },
        "additionalProperties": False,
    },
    defaults={"exempt_ports": [53]},
)
