"""NP204 named-port-unresolved: a named port that no container of the pods it applies to defines.

## What it flags

A `ports` entry with a named `port` (e.g. `port: http`) that no container port of the
workloads it is resolved on carries, with that name and protocol. Named ports resolve on
the destination of the traffic: for an ingress rule, the pods the policy selects; for an
egress rule, the pods its `to` peers match (every workload when `to` is absent).

Not flagged: rules whose pods are unknown (the policy or the peers select nothing; see
NP201 and NP202), and egress rules whose peers are only ipBlocks (see NP205). Only rules
that take effect under the policy's `policyTypes` are checked (NP107 covers the others).
Severity is warning rather than error because a workload outside the input may still
define the name.

## Why it matters

For a pod that does not define the name, the port entry matches nothing, so the traffic
the rule was written for is dropped. Typos (`htpp`), renamed container ports, and a port
defined for another protocol (`dns` is UDP) are the usual causes.

## Example

An ingress rule naming `metrics`, which the selected pods call `prom-metrics`.

## Fix

Use a name the containers define (with the same protocol), or a port number.

## Options

This rule has no options.

## References

- [NetworkPolicyPort](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [ContainerPort name](https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.findings import Hit, Severity
from policylint.model.policy import PROTOCOLS, Direction, NetworkPolicy, PortSpec, Rule
from policylint.queries.suggest import LabelView, closest, describe_rule
from policylint.rulespec import RuleContext, RuleSpec


def resolved_on(view: LabelView, policy: NetworkPolicy, rule: Rule) -> int:
    """The workloads a named port of `rule` is resolved on (its traffic's destinations)."""
    if rule.direction is Direction.INGRESS:
        return view.policy_pods(policy)
    if not rule.peers:
        return view.index.pods.universe
    pods = 0
    for peer in rule.peers:
        match = view.peer_match(policy, peer)
        pods |= match.pods if match else 0
    return pods


def hint(view: LabelView, spec: PortSpec, name: str, pods: int) -> str:
    others = [p.value for p in PROTOCOLS if p is not spec.protocol and view.defining(name, p) & pods]
    if others:
        return f"; it is defined for {'/'.join(others)}: set `protocol: {others[0]}`"
    names = {p.name for i in bit_indices(pods)[:200] for p in view.cluster.workloads[i].ports if p.name}
    near = closest(name, names)
    return f"; did you mean `{near}`?" if near else ""


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for rule in policy.rules(Direction.INGRESS) + policy.rules(Direction.EGRESS):
        named = [(p, p.port) for p in rule.ports or () if isinstance(p.port, str)]
        pods = resolved_on(view, policy, rule) if named else 0
        for spec, name in named:
            if pods and not view.defining(name, spec.protocol) & pods:
                yield Hit(
                    spec.span,
                    f"named port `{name}` ({spec.protocol.value}) in {describe_rule(policy, rule)} is defined by "
                    f"no container of {view.refs(pods)}, so it admits nothing{hint(view, spec, name, pods)}",
                )


RULE = RuleSpec(
    id="NP204",
    name="named-port-unresolved",
    summary="A named port that no container of the pods it applies to defines.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
