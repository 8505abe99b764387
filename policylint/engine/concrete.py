"""The concrete evaluator: exact verdicts for known workloads and external addresses.

It reads like the API reference: a pod is isolated in a direction when a policy selects it and
lists that direction; a connection needs egress allowed at the source and ingress allowed at the
destination; a rule admits a peer and a port. Selector results are bitsets (engine/index.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices, has
from policylint.engine.cidr import AddressSpace
from policylint.engine.connset import ALL, NONE, ConnSet
from policylint.engine.flow import Assumptions, Endpoint, Flow, RuleRef, SideVerdict, Verdict
from policylint.engine.form_index import FormIndex, tier_blocks
from policylint.engine.index import ClusterIndex
from policylint.engine.ports import RulePorts, rule_ports
from policylint.engine.tiers import Layers
from policylint.model.cluster import Cluster
from policylint.model.policy import Direction, IPBlock, IPNetwork, NetworkPolicy, Peer, Rule
from policylint.model.workload import Workload


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its peers resolved: workloads (bitset) and external atoms (bitset)."""

    policy: NetworkPolicy
    rule: Rule
    pods: int
    atoms: int
    ports: RulePorts


class Evaluator:
    def __init__(
        self,
        cluster: Cluster,
        assumptions: Assumptions | None = None,
        extra_networks: Sequence[IPNetwork] = (),
    ) -> None:
        self.cluster = cluster
        self.assumptions = assumptions or Assumptions()
        self.workloads = cluster.workloads
        n = len(self.workloads)
        self.universe = (1 << n) - 1
        selectable = 0
        for i, w in enumerate(self.workloads):
            if not w.host_network or self.assumptions.host_network_selectable:
                selectable |= 1 << i
        ns_names = [ns.name for ns in cluster.namespaces]
        self.index = ClusterIndex(
            [w.labels for w in self.workloads],
            [w.namespace for w in self.workloads],
            ns_names,
            [ns.labels for ns in cluster.namespaces],
            selectable,
        )
        blocks = [
            peer.ip_block
            for pol in cluster.policies
            for rule in (pol.ingress or ()) + (pol.egress or ())
            for peer in rule.peers or ()
            if peer.ip_block is not None
        ]
        # Query CIDRs cut the address space too, so an answer never straddles their edges.
        blocks += [IPBlock(str(net), network=net) for net in extra_networks]
        blocks += tier_blocks(cluster.tiers)
        self.space = AddressSpace(blocks)
        self.selected: list[int] = [
            self.index.pods_in(p.namespace, p.pod_selector) for p in cluster.policies
        ]
        self._compiled: dict[tuple[int, Direction], tuple[CompiledRule, ...]] = {}
        self._isolating: dict[Direction, list[list[int]]] = {}
        for direction in Direction:
            per_workload: list[list[int]] = [[] for _ in range(n)]
            for p_idx, pol in enumerate(cluster.policies):
                if pol.isolates(direction):
                    for w_idx in bit_indices(self.selected[p_idx]):
                        per_workload[w_idx].append(p_idx)
            self._isolating[direction] = per_workload
        self._rules_cache: dict[tuple[Direction, tuple[int, ...]], tuple[CompiledRule, ...]] = {}
        # Clusters with dialect tiers walk them (engine/tiers.py); NetworkPolicy-only ones never do.
        self.layers: Layers | None = None
        if cluster.tiers:
            forms = FormIndex(self.index, self.space, self.universe, self.assumptions.ipblocks_match_pods)
            self.layers = Layers(cluster.tiers, forms, self.space, self.workloads, self.np_side_conns,
                                 self.is_isolated)

    # -- peers -----------------------------------------------------------------------------------

    def peer_pods(self, policy: NetworkPolicy, peer: Peer) -> int:
        """Workloads a peer matches. A peer with only podSelector means the policy's namespace."""
        if peer.ip_block is not None:
            return self._ipblock_pods(peer.ip_block)
        if peer.pod_selector is None and peer.namespace_selector is None:
            return 0  # an empty peer is invalid and matches nothing
        if peer.namespace_selector is None:
            assert peer.pod_selector is not None
            return self.index.pods_in(policy.namespace, peer.pod_selector)
        return self.index.pods_in_namespaces(peer.namespace_selector, peer.pod_selector)

    def _ipblock_pods(self, block: IPBlock) -> int:
        """ipBlocks match external addresses only, unless assumed to match pod addresses too.

        Manifests carry no pod IPs, so under that assumption only a block that covers a whole
        address family without excepts (0.0.0.0/0, ::/0) is known to cover every pod.
        """
        if not self.assumptions.ipblocks_match_pods or block.network is None:
            return 0
        if block.network.prefixlen == 0 and not block.except_:
            return self.universe
        return 0

    def peer_atoms(self, peer: Peer) -> int:
        return self.space.block_atoms(peer.ip_block) if peer.ip_block is not None else 0

    def compiled_rules(self, policy_index: int, direction: Direction) -> tuple[CompiledRule, ...]:
        key = (policy_index, direction)
        hit = self._compiled.get(key)
        if hit is None:
            policy = self.cluster.policies[policy_index]
            hit = tuple(self._compile(policy, rule) for rule in policy.rules(direction))
            self._compiled[key] = hit
        return hit

    def _compile(self, policy: NetworkPolicy, rule: Rule) -> CompiledRule:
        ports = rule_ports(rule.ports)
        if not rule.peers:  # from/to absent or empty: every source/destination, external included
            return CompiledRule(policy, rule, self.universe, self.space.all, ports)
        pods = atoms = 0
        for peer in rule.peers:
            pods |= self.peer_pods(policy, peer)
            atoms |= self.peer_atoms(peer)
        return CompiledRule(policy, rule, pods, atoms, ports)

    # -- isolation -------------------------------------------------------------------------------

    def isolating_policies(self, workload: int, direction: Direction) -> list[int]:
        """Indices of the policies that select `workload` and list `direction` in policyTypes."""
        return self._isolating[direction][workload]

    def is_isolated(self, workload: int, direction: Direction) -> bool:
        return bool(self._isolating[direction][workload])

    def rules_for(self, workload: int, direction: Direction) -> tuple[CompiledRule, ...]:
        """Every rule that can admit traffic in `direction` for an isolated workload."""
        pols = tuple(self._isolating[direction][workload])
        key = (direction, pols)
        hit = self._rules_cache.get(key)
        if hit is None:
            hit = tuple(r for p in pols for r in self.compiled_rules(p, direction))
            self._rules_cache[key] = hit
        return hit

    # -- connections -----------------------------------------------------------------------------

    def peer_in(self, rule: CompiledRule, other: Endpoint) -> bool:
        if isinstance(other, int):
            return has(rule.pods, other)
        return has(rule.atoms, self.space.atom_of(other))

    @property
    def layered(self) -> bool:
        """True when dialect tiers take part; NetworkPolicy-only helpers (is_isolated, rules_for)
        then describe the NetworkPolicy layer alone."""
        return self.layers is not None

    def side_conns(self, endpoint: int, other: Endpoint, direction: Direction) -> ConnSet:
        """What `endpoint`'s own policies admit to (egress) or from (ingress) `other`."""
        if self.layers is not None:
            return self.layers.walk(endpoint, other, direction).allowed
        return self.np_side_conns(endpoint, other, direction)

    def np_side_conns(self, endpoint: int, other: Endpoint, direction: Direction) -> ConnSet:
        """What the NetworkPolicies of `endpoint` admit in `direction` (ALL when not isolated)."""
        if not self._isolating[direction][endpoint]:
            return ALL
        dst = self.workloads[endpoint] if direction is Direction.INGRESS else self.workload_of(other)
        result = NONE
        for rule in self.rules_for(endpoint, direction):
            if self.peer_in(rule, other):
                result = result | rule.ports.for_destination(dst)
                if result.is_all:
                    break
        return result

    def workload_of(self, endpoint: Endpoint) -> Workload | None:
        return self.workloads[endpoint] if isinstance(endpoint, int) else None

    def allowed_conns(self, src: Endpoint, dst: Endpoint) -> ConnSet:
        if isinstance(src, int) and isinstance(dst, int) and src == dst:
            return ALL  # a pod cannot block traffic to itself
        conns = ALL
        if isinstance(src, int):
            conns = self.side_conns(src, dst, Direction.EGRESS)
        if conns and isinstance(dst, int):
            conns = conns & self.side_conns(dst, src, Direction.INGRESS)
        return conns

    # -- verdicts with reasons -------------------------------------------------------------------

    def _side(self, endpoint: Endpoint, other: Endpoint, flow: Flow, direction: Direction) -> SideVerdict:
        if not isinstance(endpoint, int):
            return SideVerdict(applies=False, isolated=False)
        side = self._np_side(endpoint, other, flow, direction)
        if self.layers is None:
            return side
        run = self.layers.walk(endpoint, other, direction, record=True)
        decision = next(d for d in run.decisions if d.conns.contains(flow.protocol, flow.port))
        return SideVerdict(side.applies, side.isolated, side.policies, side.allowing, decision, decision.allowed,
                           tuple(run.notes))

    def _np_side(self, endpoint: int, other: Endpoint, flow: Flow, direction: Direction) -> SideVerdict:
        pols = self._isolating[direction][endpoint]
        if not pols:
            return SideVerdict(applies=True, isolated=False)
        dst = self.workloads[endpoint] if direction is Direction.INGRESS else self.workload_of(other)
        allowing = tuple(
            RuleRef(r.policy, r.rule)
            for r in self.rules_for(endpoint, direction)
            if self.peer_in(r, other) and r.ports.for_destination(dst).contains(flow.protocol, flow.port)
        )
        policies = tuple(self.cluster.policies[p] for p in pols)
        return SideVerdict(applies=True, isolated=True, policies=policies, allowing=allowing)

    def verdict(self, flow: Flow) -> Verdict:
        egress = self._side(flow.src, flow.dst, flow, Direction.EGRESS)
        ingress = self._side(flow.dst, flow.src, flow, Direction.INGRESS)
        same = isinstance(flow.src, int) and isinstance(flow.dst, int) and flow.src == flow.dst
        return Verdict(flow, egress, ingress, self_traffic=same)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)
