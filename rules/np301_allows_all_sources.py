"""NP301 allows-all-sources: an ingress rule open to every source, external addresses included.

## What it flags

An ingress rule, in effect under its policy's `policyTypes`, that admits every source:
- `from` is absent or empty (`- ports: [...]` alone, or `from: []`); or
- its peers cover every pod of every namespace (`namespaceSelector: {}`) and every address
  of at least one IP family (`0.0.0.0/0` or `::/0` without `except`, or blocks adding up to
  it; in a single-stack cluster one family is every address).

Assuming ipBlocks also match pod addresses (a Calico-like plugin), a whole-family ipBlock
alone is enough. Rules whose ports are all listed in the option `exempt_ports` are skipped.

Rules that open, on the pods they select, only the ports the kube-apiserver calls there (the
target port of a Service named by a Validating/MutatingWebhookConfiguration's
`clientConfig.service` or an APIService's `spec.service`) are not reported: the API server calls
from outside the pod network, from an address the cluster decides, so a rule open to every source
on that port is what keeps the webhook working (NP507 reports the opposite mistake).

One rule, one finding: where this rule fires, NP304 (all ports) and NP308 (open to the internet)
step aside on the same rule; `ingress: [{}]` is reported once, here.

## Why it matters

The selected pods accept traffic from every pod of the cluster and from the internet (if
anything routes it there). This is right for a public entry point and wrong almost
everywhere else, and it is easy to write by accident: a missing `from:` line opens the rule
to the world.

## Example

A rule with ports but without `from`, and a rule that lists `namespaceSelector: {}` next
to `0.0.0.0/0`.

## Fix

List the sources that need access. For a deliberate public entry point, suppress the
finding on that rule (`# policylint: disable-line=NP301`) so the decision is visible.

## Options

`exempt_ports` lists port numbers that may be open to all sources (for example `[443]`
for a cluster whose ingress controller is the only public entry point).

## References

- [NetworkPolicyIngressRule](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Allow all ingress traffic](https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.connset import ConnSet
from policylint.findings import Hit, Severity
from policylint.model.policy import Direction
from policylint.queries.apiserver import REQUIRED_KEY, called_on, only_apiserver_ports, required_ingress
from policylint.queries.suggest import describe_rule, open_to_everyone, ports_text
from policylint.rulespec import RuleContext, RuleSpec

DIRECTION = Direction.INGRESS


def check(ctx: RuleContext) -> Iterator[Hit]:
    exempt_ports = set(ctx.options.get("exempt_ports", ()))
    called = ctx.shared(REQUIRED_KEY, lambda: required_ingress(ctx.evaluator, ctx.cluster))
    for rule, why in open_to_everyone(ctx.policy, DIRECTION, exempt_ports, ctx.assumptions.ipblocks_match_pods):
        if called and only_apiserver_ports(ctx.evaluator, ctx.policy, rule, called):
            continue  # the kube-apiserver calls these pods there from outside the pod network (NP507)
        yield Hit(
            rule.span,
            f"{describe_rule(ctx.policy, rule)} admits every source, external addresses included, "
            f"{ports_text(rule)}: {why}; list the sources that need access{_apiserver_hint(ctx, called)}",
        )


def _apiserver_hint(ctx: RuleContext, called: dict[int, ConnSet]) -> str:
    """Pods the API server calls (a webhook, an APIService) need that port open to every source."""
    needed = called_on(ctx.evaluator, ctx.policy, called) if called else None
    return f" (the kube-apiserver calls these pods on {needed}: keep only that open to every source)" if needed else ""


RULE = RuleSpec(
    id="NP301",
    name="allows-all-sources",
    summary="An ingress rule admits every source, pods and external addresses alike.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
    supersedes=("NP304", "NP308"),  # `ingress/egress: [{}]` is one finding, this rule's
    options_schema={
        "type": "object",
        "properties": {
            "exempt_ports": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 65535},
                "description": "Port numbers a rule may open to every source (all of its ports must be listed).",
            }
        },
        "additionalProperties": False,
    },
    defaults={"exempt_ports": []},
)
