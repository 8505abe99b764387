"""The one rule form every policy dialect compiles into, and the ordered tiers that hold it.

A dialect's builder (NetworkPolicy v1, ClusterNetworkPolicy / AdminNetworkPolicy, Calico,
Cilium, ...) turns its objects into `TierPolicy` values, each with per-direction `FormRule`s
of one shape: which pods the policy is about (`subject`), which peers and ports a rule
matches, and what it then does (`action`). The engine evaluates `Tier`s in `rank` order with
each tier's `Combine` rule; it never learns dialect names. See docs/layers.md.

Peers are a disjunction of `Match`es; a Match ANDs the criteria it sets (so Calico's entity
rules, which AND `selector`, `notSelector`, `nets` and `notNets`, fit it, and a NetworkPolicy
peer is a Match with one criterion). Selectors are the one selector model of model/selector.py;
dialects with richer selector languages parse them into disjunctions of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from policylint.findings import NO_SPAN, Span
from policylint.model.policy import Direction, IPBlock, PortSpec
from policylint.model.selector import LabelSelector


class Action(Enum):
    ALLOW = "Allow"
    DENY = "Deny"
    PASS = "Pass"  # first-match tiers: the rest of this tier is skipped, the next tier decides
    LOG = "Log"  # matches, decides nothing: evaluation goes on with the next rule


class Combine(Enum):
    """How one tier turns its rules into a decision for one endpoint and direction."""

    # Policies by order, rules in order; the first matching rule decides (Allow/Deny final, Pass
    # hands down to the next tier, Log goes on). Nothing matched: `Tier.default_action` when a
    # policy of the tier selects the endpoint (Calico: Deny), else fall through.
    FIRST_MATCH = "first-match"
    # NetworkPolicy v1: an endpoint selected by a policy for a direction is allowed exactly what
    # some selecting policy's Allow rule admits, and that is final; not selected: fall through.
    ISOLATION_UNION = "isolation-union"
    # Cilium: Allow rules are a union, any matching Deny wins over every Allow; an endpoint
    # selected by an isolating policy is denied what no Allow admits; otherwise fall through.
    UNION_MINUS_DENY = "union-minus-deny"


@dataclass(frozen=True, slots=True)
class PodScope:
    """Pods chosen by namespace and by labels.

    `namespace` names one namespace; otherwise `namespace_selector` chooses namespaces by label;
    both None means every namespace. `pods` selects within them (EVERYTHING: all their pods).
    """

    pods: LabelSelector
    namespace: str | None = None
    namespace_selector: LabelSelector | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One peer alternative: every criterion set must hold (None = no constraint).

    - `pods`: the peer is a pod in this scope; `not_pods`: it is not (external addresses pass).
    - `networks`: the peer's address is in one of these blocks (cidr minus except);
      `not_networks`: in none of them. Whether pod addresses count is `networks_match_pods`
      (ClusterNetworkPolicy and Calico nets: yes by their specs; NetworkPolicy ipBlock and Cilium
      CIDR rules: only under the user's `ipblocks_match_pods` assumption). Manifests carry no pod
      IPs, so a pod is known to be inside a block only when the block is a whole address family.
    - `external_only` / `pods_only`: the peer is outside the cluster / a pod.
    - `unresolved`: named peers the analysis cannot see offline (a DNS name, node addresses, an
      entity with no modelled members). A Match with any is matched by nothing modelled, and the
      answers that depend on it say so.
    """

    pods: PodScope | None = None
    not_pods: PodScope | None = None
    networks: tuple[IPBlock, ...] | None = None
    not_networks: tuple[IPBlock, ...] | None = None
    networks_match_pods: bool = False
    external_only: bool = False
    pods_only: bool = False
    unresolved: tuple[str, ...] = ()


EVERY_PEER: tuple[Match, ...] = (Match(),)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a policy or rule comes from, for explanations and findings."""

    kind: str  # as the user wrote it: "NetworkPolicy", "ClusterNetworkPolicy", "GlobalNetworkPolicy"
    name: str
    namespace: str | None = None  # None for cluster-scoped objects
    span: Span = NO_SPAN
    tier: str = ""  # the tier's name as users know it ("Admin", "default", "security")
    priority: float | None = None  # the policy's order/priority within its tier, as written
    rule_index: int | None = None  # 0-based index within the direction's list; None for a policy
    section: str = ""  # the list the rule is in, as written: "ingress", "egressDeny", ...
    action_written: str = ""  # the action as the dialect spells it: "Accept", "Allow"
    staged_action: str = ""  # Calico Staged* kinds: "Set" (preview as enforced), "Delete", "Learn", "Ignore"
    rule_name: str = ""  # the rule's own `name`, where the dialect has one (network-policy-api)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass(frozen=True, slots=True)
class FormRule:
    direction: Direction
    action: Action
    peers: tuple[Match, ...]  # OR of matches; () matches nothing; EVERY_PEER matches all
    # Destination ports; None = every port of every protocol. Named ports resolve on the
    # destination pod, as for NetworkPolicy. `not_ports` removes ports from what `ports` allows.
    ports: tuple[PortSpec, ...] | None
    origin: Origin
    not_ports: tuple[PortSpec, ...] = ()
    # Conditions outside the model (L7 rules, ICMP, source ports, service accounts): the rule is
    # evaluated as if they held, and every answer that depends on the rule names them.
    unmodelled: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TierPolicy:
    """A policy compiled for one tier: its subjects, the directions it governs, its rules."""

    subject: tuple[PodScope, ...]  # OR; the pods the policy applies to
    # Directions in which selecting an endpoint counts: isolation (ISOLATION_UNION,
    # UNION_MINUS_DENY) or "the tier applies" (FIRST_MATCH default action).
    directions: tuple[Direction, ...]
    rules: tuple[FormRule, ...]  # in evaluation order (both directions; filtered per direction)
    origin: Origin
    order: tuple[float, str] = (0.0, "")  # sort key within the tier (priority, then name)

    def rules_for(self, direction: Direction) -> tuple[FormRule, ...]:
        return tuple(r for r in self.rules if r.direction is direction)


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    combine: Combine
    rank: float  # tiers are evaluated by rank ascending, then name (Calico's tier `order` scale)
    policies: tuple[TierPolicy, ...]  # sorted by `order`
    default_action: Action | None = None  # FIRST_MATCH only; None = fall through
    # True for the tier that holds NetworkPolicy v1 (its policies are compiled into it).
    holds_network_policy: bool = False


# Ranks on Calico's tier-order scale, which ClusterNetworkPolicy maps onto (Calico 3.32:
# kube-admin 1,000, default 1,000,000 holding Kubernetes NetworkPolicy, kube-baseline 10,000,000).
ADMIN_RANK = 1_000.0
NETWORK_POLICY_RANK = 1_000_000.0
BASELINE_RANK = 10_000_000.0
