"""NP307 namespace-without-default-deny: a namespace with no policy that isolates all its pods.

## What it flags

A namespace (defined by a Namespace manifest, or holding workloads in the input) in which
no NetworkPolicy has an empty `podSelector: {}` with Ingress (Egress) in its effective
`policyTypes`. Such a policy isolates every pod of the namespace, including pods created
later, whether or not it also allows some traffic. One finding per namespace, at its
Namespace manifest, or at the first object of the namespace when there is no manifest.
Namespaces in `ignore_namespaces` (the Kubernetes system namespaces by default) are
skipped. Severity: info.

A default deny of another policy tier counts too: a CiliumNetworkPolicy with an empty
`endpointSelector` and an ingress (egress) section, a Calico NetworkPolicy or
GlobalNetworkPolicy selecting `all()` for the direction (the end of its tier denies what it
does not allow), or an AdminNetworkPolicy / BaselineAdminNetworkPolicy / ClusterNetworkPolicy
with a Deny from (to) every pod for a subject holding every pod of the namespace. Policies the
`cni:` plugin does not enforce do not count.

## Why it matters

Without a default deny, every new workload starts fully open until someone writes a policy
for it, and a label typo in a policy leaves pods open silently. A default deny makes the
mistakes fail closed.

## Example

A namespace whose only policy protects one application.

## Fix

Add a default-deny policy (`podSelector: {}`, `policyTypes: [Ingress, Egress]`) and allow
what is needed (do not forget DNS egress).

## Options

`directions` chooses the directions a default deny must cover; `ignore_namespaces` lists
namespaces not to check.

## References

- [Default deny all ingress and all egress traffic](https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-and-all-egress-traffic)
- [Cilium: default deny](https://docs.cilium.io/en/stable/security/policy/intro/#policy-enforcement-modes)
- [Calico: default deny](https://docs.tigera.io/calico/latest/network-policy/get-started/kubernetes-default-deny)
- [network-policy-api: BaselineAdminNetworkPolicy default deny](https://network-policy-api.sigs.k8s.io/api-overview/)
- [NetworkPolicySpec podSelector](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity, Span
from policylint.model.declared import is_declared
from policylint.model.policy import Direction
from policylint.queries.tier_default_deny import tier_default_denies
from policylint.rulespec import RuleContext, RuleSpec


def first_spans(ctx: RuleContext) -> dict[str, Span]:
    """Where to report each namespace: its manifest, else the first of its objects."""
    spans: dict[str, Span] = {}
    objects = [(w.namespace, w.span) for w in ctx.cluster.workloads]
    objects += [(s.namespace, s.span) for s in ctx.cluster.services]
    objects += [(p.namespace, p.span) for p in ctx.cluster.policies]
    for namespace, span in objects:
        if namespace not in spans or span < spans[namespace]:
            spans[namespace] = span
    spans.update({ns.name: ns.span for ns in ctx.cluster.namespaces if ns.span is not None})
    return spans


def check(ctx: RuleContext) -> Iterator[Hit]:
    directions = [Direction(d) for d in ctx.options.get("directions", ("Ingress", "Egress"))]
    ignore = set(ctx.options.get("ignore_namespaces", ()))
    covered: dict[str, set[Direction]] = {}
    for policy in ctx.cluster.policies:
        if policy.pod_selector.is_empty:
            covered.setdefault(policy.namespace, set()).update(policy.policy_types)
    spans = first_spans(ctx)
    # Workloads declared in the config (outside the input) do not make their namespace the input's.
    with_workloads = {w.namespace for w in ctx.cluster.workloads if not is_declared(w)}
    for ns in ctx.cluster.namespaces:
        if ns.name in ignore or (ns.span is None and ns.name not in with_workloads):
            continue
        have = covered.get(ns.name, set())
        if ctx.cluster.tiers and not have.issuperset(directions):
            have = have | tier_default_denies(ctx.cluster.tiers, ns)  # Calico, Cilium, admin tiers
        missing = [d.value for d in directions if d not in have]
        if missing:
            yield Hit(
                spans[ns.name],
                f"namespace {ns.name} has no default-deny policy for {' and '.join(missing)}"
                f"; add a NetworkPolicy with `podSelector: {{}}` and `policyTypes: [{', '.join(missing)}]`",
            )


RULE = RuleSpec(
    id="NP307",
    name="namespace-without-default-deny",
    summary="No policy with an empty podSelector isolates a namespace for ingress or egress.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "directions": {
                "type": "array",
                "items": {"enum": ["Ingress", "Egress"]},
                "uniqueItems": True,
                "description": "Directions a default deny must cover.",
            },
            "ignore_namespaces": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Namespaces not checked.",
            },
        },
        "additionalProperties": False,
    },
    defaults={
        "directions": ["Ingress", "Egress"],
        "ignore_namespaces": ["kube-system", "kube-public", "kube-node-lease"],
    },
)
