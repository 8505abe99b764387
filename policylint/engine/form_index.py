"""Rule-form peers, subjects and ports resolved to bitsets over workloads and address atoms.

The meaning of each `Match` criterion is documented in model/rule_form.py; this module is the
concrete engine's reading of it (engine/smt/form.py is the symbolic one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policylint.engine.cidr import AddressSpace
from policylint.engine.connset import NONE, ConnSet
from policylint.engine.index import ClusterIndex
from policylint.engine.ports import RulePorts, rule_ports
from policylint.model.policy import IPBlock, PortSpec
from policylint.model.rule_form import FormRule, Match, PodScope, Tier, TierPolicy
from policylint.model.workload import Workload

NO_PORTS = RulePorts(NONE, ())


@dataclass(frozen=True, slots=True)
class CompiledForm:
    """A FormRule with its peers resolved: workloads (bitset) and external atoms (bitset)."""

    rule: FormRule
    policy: TierPolicy
    pods: int
    atoms: int
    ports: RulePorts
    not_ports: RulePorts | None
    unresolved: tuple[str, ...]  # names of peers the analysis cannot resolve offline

    def conns_for(self, destination: Workload | None) -> ConnSet:
        conns = self.ports.for_destination(destination)
        if self.not_ports is not None and conns:
            conns = conns - self.not_ports.for_destination(destination)
        return conns


def form_ports(ports: Sequence[PortSpec] | None) -> RulePorts:
    """None: every port of every protocol; () as written: no port (see FormRule.ports)."""
    if ports is None:
        return rule_ports(None)
    return rule_ports(ports) if ports else NO_PORTS


def tier_blocks(tiers: Sequence[Tier]) -> list[IPBlock]:
    """Every address block the tiers mention, so atoms never straddle their edges."""
    out: list[IPBlock] = []
    for tier in tiers:
        for pol in tier.policies:
            for rule in pol.rules:
                for m in rule.peers:
                    out.extend(m.networks or ())
                    out.extend(m.not_networks or ())
    return out


class FormIndex:
    """Resolves rule-form objects of one cluster; results are cached per object."""

    def __init__(self, index: ClusterIndex, space: AddressSpace, universe: int, pod_networks: bool) -> None:
        self.index, self.space, self.universe = index, space, universe
        self.pod_networks = pod_networks  # the ipblocks_match_pods assumption
        self._scopes: dict[object, int] = {}
        self._compiled: dict[int, tuple[TierPolicy, tuple[CompiledForm, ...]]] = {}

    def scope(self, scope: PodScope) -> int:
        """Selectable workloads in `scope` (hostNetwork pods only if assumed selectable)."""
        key = (scope.namespace, None if scope.namespace_selector is None else scope.namespace_selector.key(),
               scope.pods.key())
        hit = self._scopes.get(key)
        if hit is None:
            if scope.namespace is not None:
                pods = self.index.in_namespace(scope.namespace)
            elif scope.namespace_selector is not None:
                pods = self.index.members_of(self.index.namespaces.select(scope.namespace_selector))
            else:
                pods = self.universe
            hit = self._scopes[key] = pods & self.index.pods.select(scope.pods) & self.index.selectable
        return hit

    def subject(self, policy: TierPolicy) -> int:
        bits = 0
        for s in policy.subject:
            bits |= self.scope(s)
        return bits

    def _pods_in_networks(self, m: Match, blocks: Sequence[IPBlock]) -> int:
        """Manifests carry no pod IPs: a pod is known inside only a whole address family."""
        if not (m.networks_match_pods or self.pod_networks):
            return 0
        whole = any(b.network is not None and b.network.prefixlen == 0 and not b.except_ for b in blocks)
        return self.universe if whole else 0

    def _atoms(self, blocks: Sequence[IPBlock]) -> int:
        bits = 0
        for b in blocks:
            bits |= self.space.block_atoms(b)
        return bits

    def match(self, m: Match) -> tuple[int, int]:
        """(workloads, external atoms) that satisfy every criterion `m` sets."""
        if m.unresolved or (m.external_only and m.pods_only):
            return 0, 0
        pods, atoms = self.universe, self.space.all
        if m.pods is not None:
            pods, atoms = pods & self.scope(m.pods), 0
        if m.not_pods is not None:
            pods &= ~self.scope(m.not_pods)
        if m.networks is not None:
            pods &= self._pods_in_networks(m, m.networks)
            atoms &= self._atoms(m.networks)
        if m.not_networks is not None:
            pods &= ~self._pods_in_networks(m, m.not_networks)
            atoms &= ~self._atoms(m.not_networks)
        if m.external_only:
            pods = 0
        if m.pods_only:
            atoms = 0
        return pods & self.universe, atoms & self.space.all

    def compile_rule(self, policy: TierPolicy, rule: FormRule) -> CompiledForm:
        pods = atoms = 0
        unresolved: list[str] = []
        for m in rule.peers:
            p, a = self.match(m)
            pods, atoms = pods | p, atoms | a
            unresolved.extend(m.unresolved)
        not_ports = form_ports(rule.not_ports) if rule.not_ports else None
        return CompiledForm(rule, policy, pods, atoms, form_ports(rule.ports), not_ports, tuple(unresolved))

    def rules(self, policy: TierPolicy) -> tuple[CompiledForm, ...]:
        hit = self._compiled.get(id(policy))
        if hit is None:
            hit = self._compiled[id(policy)] = (policy, tuple(self.compile_rule(policy, r) for r in policy.rules))
        return hit[1]
