"""NP501 dns-egress-blocked: an egress-isolated workload that cannot reach cluster DNS.

## What it flags

A workload isolated for egress, with at least one egress rule that allows it something, that
cannot open UDP 53 and TCP 53 to the cluster DNS: pods labelled `k8s-app: kube-dns` in
`kube-system` by default (ingress isolation of the DNS pods counts too), or the node-local DNS
address when one is configured. When the input holds no DNS workload, a synthetic DNS pod with
those labels (named ports `dns`/UDP 53 and `dns-tcp`/TCP 53) is added to a copy of the cluster.
One finding per isolating policy and missing protocol set lists the affected workloads. A
workload whose egress is denied entirely (a deny-all with no rule) is not reported: it resolves
no names, probably on purpose.

When the input holds no DNS pod, the claim is checked for every DNS pod that could exist (z3):
any pod of the DNS namespace carrying the DNS labels, whatever other labels, named ports or
namespace labels it has. If the workload could reach such a pod (say its rule admits
`namespaceSelector: {name: kube-system}`, a label the input cannot show on kube-system, or
`podSelector: {k8s-app: kube-dns, version: v2}`), the finding drops to **info** and says which
DNS pod would be reached: whether DNS works then depends on labels outside the input. It stays a
warning when no DNS pod that could exist is reachable, which is the usual case (a default deny
without a DNS rule). Info rather than silence: the rule still looks wrong to a reader.

## Why it matters

A default-deny egress policy blocks DNS too. Every name lookup then times out, which surfaces as
slow start-up or "unknown host" errors far from the policy. TCP 53 is needed for large answers
and is easy to forget.

## Example

A default-deny egress in `shop` and one egress rule to the database, but no rule for DNS.

## Fix

Add an egress rule to `namespaceSelector: {kubernetes.io/metadata.name: kube-system}` with
`podSelector: {k8s-app: kube-dns}` on UDP 53 and TCP 53 (and an ipBlock for the node-local
DNS address if the cluster runs NodeLocal DNSCache).

## Options

Set `namespace` and `selector` when the cluster DNS runs elsewhere (e.g. CoreDNS labelled
differently), and `node_local_address` (e.g. `169.254.20.10`) when pods query a node-local
cache: reaching that address on UDP and TCP 53 is then enough.

## References

- [Debugging DNS resolution](https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/)
- [NodeLocal DNSCache](https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import IPAddress
from policylint.engine.smt import Pods, SyntheticPod, Witness
from policylint.findings import Hit, Severity
from policylint.model import Cluster, ContainerPort, Direction, LabelSelector, Namespace, Protocol, Workload
from policylint.queries.outside import Outside, describe_pod, engine, reaches
from policylint.rulespec import RuleContext, RuleSpec

DNS = (Protocol.UDP, Protocol.TCP)


def dns_evaluator(ctx: RuleContext, selector: LabelSelector) -> tuple[Evaluator, int]:
    """The evaluator and DNS workloads (bitset); a synthetic DNS pod when the input has none."""
    ev: Evaluator = ctx.evaluator
    namespace = ctx.options["namespace"]
    found = ev.index.pods_in(namespace, selector)
    if found:
        return ev, found
    c = ctx.cluster
    ports = (ContainerPort(53, Protocol.UDP, "dns"), ContainerPort(53, Protocol.TCP, "dns-tcp"))
    pod = Workload(namespace, "policylint-dns", "Pod", dict(selector.match_labels), ports)
    namespaces = [*c.namespaces, Namespace(namespace)] if namespace not in c.namespace_index else c.namespaces
    copy = Cluster.of(namespaces, (*c.workloads, pod), c.services, c.policies)
    return Evaluator(copy, ctx.assumptions), 1 << len(c.workloads)


def missing(ev: Evaluator, w: int, dns: int, address: IPAddress | None) -> list[Protocol]:
    def ok(conns: ConnSet, protocol: Protocol) -> bool:
        return conns.contains(protocol, 53)

    reach = [ev.allowed_conns(w, d) for d in bit_indices(dns) if d != w]
    if address is not None:
        reach.append(ev.allowed_conns(w, address))
    return [p for p in DNS if not any(ok(c, p) for c in reach)]


def may_admit_dns(ev: Evaluator, w: int, protocol: Protocol) -> bool:
    """Some egress rule of `w` could admit (protocol, 53) to some pod: by number or by a name."""
    if ev.layered:
        return True
    return any(r.ports.numeric.contains(protocol, 53) or r.ports.named for r in ev.rules_for(w, Direction.EGRESS))


def beyond_input(ctx: RuleContext, ev: Evaluator, w: int, lacking: tuple[Protocol, ...]) -> Outside:
    """Over every DNS pod that could exist (the input holds none): proved blocked, or one reached."""
    spec = Pods(ctx.options["namespace"], pod_selector=dns_selector(ctx), host_network=False)
    for protocol in lacking:
        if not may_admit_dns(ev, w, protocol):
            continue
        outside = reaches(engine(ctx), w, spec, protocol, 53)
        if not outside.proved:
            return outside
    return Outside(True)


def dns_selector(ctx: RuleContext) -> LabelSelector:
    return LabelSelector(tuple(sorted(ctx.options["selector"].items())))


def unlike_model(outside: Outside) -> str:
    """What the reached DNS pod has that the model's does not."""
    w = outside.witness
    dns = w.dst if isinstance(w, Witness) else w
    if not isinstance(dns, SyntheticPod):
        return "a DNS pod outside the input"
    return describe_pod(dns)


def check(ctx: RuleContext) -> Iterator[Hit]:
    selector = dns_selector(ctx)
    ev, dns = dns_evaluator(ctx, selector)
    synthetic = dns == 1 << len(ctx.cluster.workloads)
    text = ctx.options["node_local_address"]
    address = ipaddress.ip_address(text) if text else None
    groups: dict[tuple[int, tuple[Protocol, ...], str], list[str]] = {}
    for w in range(len(ctx.cluster.workloads)):
        if (dns >> w) & 1 or not ev.is_isolated(w, Direction.EGRESS) or not ev.rules_for(w, Direction.EGRESS):
            continue
        lacking = tuple(missing(ev, w, dns, address))
        if not lacking:
            continue
        outside = beyond_input(ctx, ctx.evaluator, w, lacking) if synthetic else Outside(True)
        reached = "" if outside.proved or outside.undecided else unlike_model(outside)
        groups.setdefault((ev.isolating_policies(w, Direction.EGRESS)[0], lacking, reached), []).append(
            ev.workloads[w].ref
        )
    target = f"{ctx.options['namespace']} pods {selector}" + (f" or {address}" if address else "")
    for (p_idx, lacking, reached), refs in sorted(groups.items(), key=lambda g: (g[0][0], [p.value for p in g[0][1]])):
        policy = ctx.cluster.policies[p_idx]
        names = ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")
        ports = " and ".join(f"{p.value} 53" for p in lacking)
        where = policy.egress_span or policy.policy_types_span or policy.span
        if reached:
            yield Hit(
                where,
                f"{names}, egress-isolated by {policy.ref}, cannot reach cluster DNS as modelled ({target}) on "
                f"{ports}; the input holds no DNS pod, and only one unlike the model would be reached: "
                f"{reached}; check the DNS pods' labels, or allow egress to them on {ports}",
                severity=Severity.INFO,
            )
            continue
        yield Hit(
            where,
            f"{names}, egress-isolated by {policy.ref}, cannot reach cluster DNS ({target}) on {ports}; "
            f"allow egress to it on {ports}",
        )


RULE = RuleSpec(
    id="NP501",
    name="dns-egress-blocked",
    summary="An egress-isolated workload cannot reach cluster DNS on both UDP 53 and TCP 53.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "namespace": {"type": "string", "description": "Namespace of the cluster DNS pods."},
            "selector": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Labels of the cluster DNS pods (matchLabels).",
            },
            "node_local_address": {
                "type": ["string", "null"],
                "pattern": "^[0-9a-fA-F.:]+$",
                "description": "Node-local DNS cache address (e.g. 169.254.20.10); reaching it is enough.",
            },
        },
        "additionalProperties": False,
    },
    defaults={"namespace": "kube-system", "selector": {"k8s-app": "kube-dns"}, "node_local_address": None},
)
