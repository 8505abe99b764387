"""NP507 webhook-unreachable: an admission webhook or aggregated API whose pods do not admit the API server.

## What it flags

A ValidatingWebhookConfiguration or MutatingWebhookConfiguration webhook (`clientConfig.service`),
an APIService (`spec.service`) or a CustomResourceDefinition's conversion webhook
(`spec.conversion.webhook.clientConfig.service`) whose Service is in the input, when the Service's backends do
not admit the kube-apiserver on the target port of the Service port called (the reference's
`port`, 443 when omitted), or when the Service has no such port. The finding is at the Service
reference of the webhook or APIService.

The API server is not a pod: it calls from outside the pod network, from an address that depends
on the cluster (its node, a managed control plane, a konnectivity tunnel, the plugin's SNAT). This
is an assumption, stated in the message: by default the address is unknown, and only a rule that
admits every address of one IP family (no `from`, or `ipBlock: 0.0.0.0/0`) admits it; with the
option `apiserver_cidrs`, a rule admitting all of those ranges does.

## Why it matters

Every request the webhook intercepts waits for its timeout (10 s by default) and then fails
(`failurePolicy: Fail`, the default) or skips the webhook (`Ignore`): deployments, pod creation
and every other matching write stall cluster-wide. An aggregated API that the API server cannot
reach makes its whole API group unavailable (`kubectl top`, the Horizontal Pod Autoscaler).
A default-deny policy in the webhook's namespace causes this silently: the webhook pods are
healthy and every in-cluster probe succeeds.

## Example

A default-deny policy in `cert-manager` and an allow rule for the webhook pods that admits only
pods of the namespace, on the port the Service sends to.

## Fix

Add an ingress rule for the backends on the target port (the pod's port, not the Service's 443)
open to the API server: no `from` at all, or an `ipBlock` with the control-plane range (set
`apiserver_cidrs` to it so policylint checks that range). Rules open to every source on exactly
that port are then required, and NP301 does not report them.

## Options

`apiserver_cidrs` lists the ranges the API server calls from (the control-plane or node CIDRs);
empty (default) means unknown. The same list can be given as `--apiserver-cidr` (lint, diff; repeatable)
or as the top-level config key `apiserver_cidrs`.

## References

- [Dynamic admission control: service reference, port defaults to 443](https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#service-reference)
- [APIService ServiceReference: port defaults to 443](https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/api-service-v1/)
- [Network policies: traffic to and from the API server depends on the plugin](https://kubernetes.io/docs/concepts/services-networking/network-policies/#what-you-can-t-do-with-network-policies-at-least-not-yet)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from policylint.engine.concrete import Evaluator
from policylint.findings import Hit, Severity
from policylint.model.caller import ApiServerCall
from policylint.model.policy import IPNetwork
from policylint.queries.apiserver import CallTarget, admits_apiserver, parse_ranges, targets
from policylint.rulespec import RuleContext, RuleSpec

_CIDR = r"^[0-9A-Fa-f:.]+/[0-9]{1,3}$"


def consequence(call: ApiServerCall) -> str:
    if call.kind == "APIService":
        return "its API group is unavailable (requests to it fail with 503)"
    if call.kind == "CustomResourceDefinition":
        return "objects of this resource cannot be read or written in a version other than the stored one"
    if call.failure_policy == "Ignore":
        return "every request it intercepts waits for the failed call (up to its timeout), then skips it " \
               "(failurePolicy Ignore)"
    return "every request it intercepts fails (failurePolicy Fail), after waiting up to the webhook's timeout"


def assumption(ranges: Sequence[IPNetwork]) -> str:
    if ranges:
        return f"assumed: the API server calls from {', '.join(map(str, ranges))} (option apiserver_cidrs)"
    return ("assumed: the API server's address is unknown, so only a rule open to every source admits it; "
            "set the option apiserver_cidrs to the control-plane range")  # fmt: skip


def findings(ev: Evaluator, t: CallTarget, ranges: Sequence[IPNetwork]) -> Iterator[Hit]:
    call = t.call
    ref = f"{call.ref} calls Service {call.namespace}/{call.service} on port {call.port}"
    if t.service is not None and t.service_port is None:
        yield Hit(call.span, f"{ref}, which the Service does not define (the port defaults to 443): "
                             f"{consequence(call)}; name a port of the Service")  # fmt: skip
        return
    closed = [(b, port) for b, port in t.backends if not admits_apiserver(ev, b, port, ranges)]
    if not closed:
        return
    ports = sorted({port for _, port in closed})
    names = ", ".join(ev.workloads[b].ref for b, _ in closed[:3]) + (" ..." if len(closed) > 3 else "")
    yield Hit(
        call.span,
        f"{ref} (target port {', '.join(map(str, ports))}), but its backends ({names}) do not admit the API "
        f"server there ({assumption(ranges)}): {consequence(call)}; admit the API server on that port",
    )


def check(ctx: RuleContext) -> Iterator[Hit]:
    if not ctx.cluster.callers:
        return
    ranges = parse_ranges(ctx.options.get("apiserver_cidrs", ()))
    # Atoms must not straddle the configured ranges: an evaluator that cuts the address space there.
    ev: Evaluator = ctx.evaluator if not ranges else ctx.shared(
        f"NP507.evaluator:{ranges}", lambda: Evaluator(ctx.cluster, ctx.assumptions, extra_networks=ranges))
    for t in targets(ev, ctx.cluster):
        yield from findings(ev, t, ranges)


RULE = RuleSpec(
    id="NP507",
    name="webhook-unreachable",
    summary="An admission webhook's or aggregated API's pods do not admit the kube-apiserver on the port it calls.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "apiserver_cidrs": {
                "type": "array",
                "items": {"type": "string", "pattern": _CIDR},
                "description": "The ranges the kube-apiserver calls webhooks from (control-plane CIDRs); "
                "empty: unknown, any address.",
            }
        },
        "additionalProperties": False,
    },
    defaults={"apiserver_cidrs": []},
)
