"""NP308 workload-open-to-internet: an ingress rule that admits every internet address on a port.

## What it flags

An ingress rule in effect whose `from` admits every public address of each IP family the
cluster uses (option `families`, default IPv4 only): `ipBlock: {cidr: 0.0.0.0/0}` on an IPv4
cluster, `0.0.0.0/0` and `::/0` on a dual-stack one, or blocks adding up to them. An `except`
that carves out only private and special-purpose ranges (10.0.0.0/8, 172.16.0.0/12,
192.168.0.0/16, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, fc00::/7, fe80::/10, ::1/128)
still leaves the whole internet in. A rule without `from` admits the internet too.

Rules whose ports are all listed in the option `ports` (deliberate public web ports, 80 and
443 by default, as for NP522) are skipped, and so are rules that open, on the pods they select,
only the ports the kube-apiserver calls there (webhooks, aggregated APIs: it calls from outside the
pod network, from an address policylint does not know; NP507 checks it is admitted, and NP301
exempts the same rules). A rule that NP301 reports (every source, pods included) is left to NP301;
this rule supersedes NP304 (all ports to a broad peer set) on the same rule.

## Why it matters

Whether the internet can actually reach a pod depends on a LoadBalancer, NodePort, Ingress or
routable pod addresses, which often change later; the policy is the last line, and this one
lets every scanner in once any of those appears. NP301 only fires when the rule also admits
every pod, so an ipBlock-only rule open to the world went unreported.

## Example

PostgreSQL admitting `0.0.0.0/0` on 5432.

## Fix

Narrow the ipBlock to the client ranges that need access (an office range, a partner, the
load balancer's health-check ranges). For a deliberate public port, list it in `ports`
(`rules: {NP308: {ports: [443, 8443]}}`) or suppress the finding on that rule.

## Options

- `ports` (list of integers, default `[80, 443]`): ports that may be open to the whole internet.
- `families` (list of `IPv4`/`IPv6`, default `["IPv4"]`): the IP families the cluster's pods
  are reachable on; a rule must admit every public address of each of them. Set both for a
  dual-stack cluster.

## References

- [NetworkPolicy IPBlock](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [IPv4/IPv6 dual-stack](https://kubernetes.io/docs/concepts/services-networking/dual-stack/)
- [IANA IPv4 special-purpose address registry](https://www.iana.org/assignments/iana-ipv4-special-registry/)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from policylint.engine.cidr import AddressSpace
from policylint.findings import Hit, Severity
from policylint.model.policy import Direction, IPBlock, Rule
from policylint.queries.apiserver import REQUIRED_KEY, only_apiserver_ports, required_ingress
from policylint.queries.suggest import LabelView, describe_rule, only_ports, ports_text
from policylint.rulespec import RuleContext, RuleSpec

# Addresses that are not the internet: excepting them still leaves every public address in.
NOT_INTERNET = {
    4: ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"),
    6: ("fc00::/7", "fe80::/10", "::1/128"),
}
FAMILY = {"IPv4": 4, "IPv6": 6}
WHOLE = {4: "0.0.0.0/0", 6: "::/0"}
PRIVATE = tuple(IPBlock(c, network=ipaddress.ip_network(c)) for fam in (4, 6) for c in NOT_INTERNET[fam])


def internet_families(blocks: Sequence[IPBlock]) -> set[int]:
    """The IP versions whose every public address the blocks (minus excepts) admit together."""
    space = AddressSpace([*blocks, *PRIVATE])
    covered = 0
    for block in (*blocks, *PRIVATE):  # private ranges do not count against "the internet"
        covered |= space.block_atoms(block)
    out = set()
    for fam in (4, 6):
        mask = sum(1 << i for i, atom in enumerate(space.atoms) if atom.family == fam)
        if covered & mask == mask:
            out.add(fam)
    return out


def open_families(rule: Rule) -> set[int]:
    """IP versions whose whole internet the rule admits; a rule without peers admits both."""
    if not rule.peers:
        return {4, 6}
    return internet_families([p.ip_block for p in rule.peers if p.ip_block is not None])


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    wanted = {FAMILY[f] for f in ctx.options.get("families", ("IPv4",))}
    public = {int(p) for p in ctx.options.get("ports", ())}
    called = ctx.shared(REQUIRED_KEY, lambda: required_ingress(ctx.evaluator, ctx.cluster))
    for rule in policy.rules(Direction.INGRESS):
        if not wanted <= open_families(rule) or only_ports(rule, public):
            continue
        if called and only_apiserver_ports(ctx.evaluator, policy, rule, called):
            continue  # required by the webhook or APIService the API server calls there (NP507)
        ranges = " and ".join(WHOLE[f] for f in sorted(wanted))
        view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
        selected = view.policy_pods(policy)
        who = view.refs(selected) if selected else f"the pods {policy.ref} selects (none in the input)"
        yield Hit(
            rule.span,
            f"{describe_rule(policy, rule)} opens {who} to the whole internet ({ranges}) {ports_text(rule)}; "
            "narrow the ipBlock to the clients' ranges, or list a deliberate public port in the rule's `ports` option",
        )


RULE = RuleSpec(
    id="NP308",
    name="workload-open-to-internet",
    summary="An ingress rule admits every internet address (0.0.0.0/0, and ::/0 on dual-stack) on some port.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "ports": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 65535},
                "description": "Public ports a rule may open to the internet (all its ports must be listed).",
            },
            "families": {
                "type": "array",
                "items": {"enum": ["IPv4", "IPv6"]},
                "minItems": 1,
                "uniqueItems": True,
                "description": "IP families the cluster's pods are reachable on (both for dual-stack).",
            },
        },
        "additionalProperties": False,
    },
    defaults={"ports": [80, 443], "families": ["IPv4"]},
    supersedes=("NP304",),  # every port to the internet is this rule's finding, not also NP304's
)
