"""NetworkPolicy v1 in the rule form: one TierPolicy per policy, Allow rules only.

The engine evaluates a NetworkPolicy-only cluster natively (fast path); dialects whose tier
enforces NetworkPolicy among their own policies (Calico's default tier, Cilium's union) compile
them with `network_policy_tier_policies` and set `Tier.holds_network_policy`. The mapping follows
the API reference (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/):
a rule admits a peer and a port; from/to absent or empty means every peer; ports absent or empty
means every port; a bare podSelector means the policy's namespace; ipBlock matches addresses
outside the cluster (pod addresses only under the `ipblocks_match_pods` assumption).
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.model.policy import Direction, NetworkPolicy, Peer, Rule
from policylint.model.rule_form import (
    EVERY_PEER,
    NETWORK_POLICY_RANK,
    Action,
    Combine,
    FormRule,
    Match,
    Origin,
    PodScope,
    Tier,
    TierPolicy,
)
from policylint.model.selector import EVERYTHING

NETWORK_POLICY_TIER = "NetworkPolicy"
KIND = "NetworkPolicy"


def peer_match(policy: NetworkPolicy, peer: Peer) -> Match | None:
    """One from/to element as a Match; None for a peer the API server rejects (it matches nothing)."""
    if peer.ip_block is not None:
        return Match(networks=(peer.ip_block,))
    if peer.namespace_selector is None:
        if peer.pod_selector is None:
            return None
        return Match(pods=PodScope(peer.pod_selector, namespace=policy.namespace))
    return Match(pods=PodScope(peer.pod_selector or EVERYTHING, namespace_selector=peer.namespace_selector))


def form_rule(policy: NetworkPolicy, rule: Rule, tier: str, order: float | None) -> FormRule:
    if rule.all_peers:
        peers = EVERY_PEER
    else:
        peers = tuple(m for m in (peer_match(policy, p) for p in rule.peers or ()) if m is not None)
    origin = Origin(KIND, policy.name, policy.namespace, rule.span, tier, order, rule.index,
                    rule.direction.value.lower(), Action.ALLOW.value)
    return FormRule(rule.direction, Action.ALLOW, peers, None if rule.all_ports else rule.ports, origin)


def tier_policy(policy: NetworkPolicy, tier: str = NETWORK_POLICY_TIER, order: float | None = None) -> TierPolicy:
    """`policy` for a tier; `order` is its place among the tier's policies (Calico: 1000)."""
    rules = tuple(form_rule(policy, r, tier, order) for d in Direction for r in policy.rules(d))
    origin = Origin(KIND, policy.name, policy.namespace, policy.span, tier, order)
    return TierPolicy(
        subject=(PodScope(policy.pod_selector, namespace=policy.namespace),),
        directions=policy.policy_types,
        rules=rules,
        origin=origin,
        order=(order or 0.0, policy.ref),
    )


def network_policy_tier_policies(
    policies: Sequence[NetworkPolicy], tier: str = NETWORK_POLICY_TIER, order: float | None = None
) -> tuple[TierPolicy, ...]:
    return tuple(sorted((tier_policy(p, tier, order) for p in policies), key=lambda t: t.order))


def network_policy_tier(policies: Sequence[NetworkPolicy], rank: float = NETWORK_POLICY_RANK) -> Tier:
    """NetworkPolicy v1 as its own ISOLATION_UNION tier (what the engine evaluates natively)."""
    return Tier(NETWORK_POLICY_TIER, Combine.ISOLATION_UNION, rank, network_policy_tier_policies(policies),
                holds_network_policy=True)
