"""NP304 allows-all-ports: a rule without ports towards a broad set of peers.

## What it flags

A rule in effect with no `ports` (every port and protocol), or with a port entry that opens
every port of a protocol (`- protocol: TCP` with no `port`, which the API reads as every TCP
port, or `port: 1, endPort: 65535`), whose peers are broad, meaning at least one of:
- `from`/`to` is absent or empty (every peer);
- a selector peer without a narrowing podSelector (absent or `{}`) whose namespaceSelector
  is `{}` or matches more than `max_namespaces` namespaces of the input;
- an ipBlock wider than `/min_prefix_v4` (IPv4) or `/min_prefix_v6` (IPv6), e.g. `0.0.0.0/0`
  or `10.0.0.0/7` under the default `/8`.

A rule without ports towards named pods (`podSelector: {app: api}`) or towards the own
namespace (`podSelector: {}`) is not flagged: that is ordinary intra-application traffic.

A rule that NP301, NP302 or NP308 already reports (every source or destination, or the whole
internet) is left to that rule: one finding for one rule.

## Why it matters

Every port and protocol is open, including debug, admin and metrics endpoints nobody meant
to expose, to a wide audience. Narrowing the ports is the cheapest hardening there is.

## Example

An ingress rule from two whole namespaces without `ports`.

## Fix

List the ports the peers need (`ports: [{port: 8080}]`).

## Options

Raise `max_namespaces` if rules spanning a few namespaces are normal in your cluster; lower
`min_prefix_v4` / `min_prefix_v6` to tolerate wider address ranges.

## References

- [NetworkPolicyPort](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
  ("port ... If this field is not provided, this matches all port names and numbers")
- [Network Policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policylint.engine.connset import FULL
from policylint.engine.ports import rule_ports
from policylint.findings import Hit, Severity
from policylint.model.policy import PROTOCOLS, Direction, Peer, Rule
from policylint.queries.suggest import LabelView, describe_rule
from policylint.rulespec import RuleContext, RuleSpec


def broad(view: LabelView, peer: Peer, options: Mapping[str, Any]) -> str | None:
    block = peer.ip_block
    if block is not None:
        net = block.network
        limit = int(options["min_prefix_v4"] if net is None or net.version == 4 else options["min_prefix_v6"])
        return f"ipBlock {block.cidr} is wider than /{limit}" if net is not None and net.prefixlen < limit else None
    ns_sel = peer.namespace_selector
    if ns_sel is None or (peer.pod_selector is not None and not peer.pod_selector.is_empty):
        return None
    if ns_sel.is_empty:
        return "namespaceSelector {} matches every namespace"
    count = view.index.namespaces.select(ns_sel).bit_count()
    return f"namespaceSelector {ns_sel} matches {count} namespaces" if count > options["max_namespaces"] else None


def reason(view: LabelView, peers: tuple[Peer, ...] | None, opts: Mapping[str, Any]) -> str | None:
    if not peers:
        return "every peer: from/to is absent or empty"
    return next((why for why in (broad(view, p, opts) for p in peers) if why), None)


def open_ports(rule: Rule) -> str | None:
    """'every port and protocol', 'every TCP port', or None when the rule's ports are bounded."""
    if not rule.ports:
        return "every port and protocol"
    numeric = rule_ports(rule.ports).numeric
    whole = [p.value for p in PROTOCOLS if numeric.get(p) == FULL]
    if not whole:
        return None
    return "every port and protocol" if len(whole) == len(PROTOCOLS) else f"every {' and '.join(whole)} port"


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for rule in policy.rules(Direction.INGRESS) + policy.rules(Direction.EGRESS):
        ports = open_ports(rule)
        if ports is None:
            continue
        why = reason(view, rule.peers, ctx.options)
        if why:
            yield Hit(
                rule.span,
                f"{describe_rule(policy, rule)} allows {ports} to a broad peer set ({why}); "
                "list the ports the peers need",
            )


RULE = RuleSpec(
    id="NP304",
    name="allows-all-ports",
    summary="A rule without ports admits every port and protocol to a broad set of peers.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
    options_schema={
        "type": "object",
        "properties": {
            "max_namespaces": {
                "type": "integer",
                "minimum": 0,
                "description": "A namespaceSelector-only peer matching more namespaces than this is broad.",
            },
            "min_prefix_v4": {
                "type": "integer",
                "minimum": 0,
                "maximum": 32,
                "description": "An IPv4 ipBlock with a shorter prefix than this is broad.",
            },
            "min_prefix_v6": {
                "type": "integer",
                "minimum": 0,
                "maximum": 128,
                "description": "An IPv6 ipBlock with a shorter prefix than this is broad.",
            },
        },
        "additionalProperties": False,
    },
    defaults={"max_namespaces": 1, "min_prefix_v4": 8, "min_prefix_v6": 32},
)
