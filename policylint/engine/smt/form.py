"""The rule form (model/rule_form.py) as z3 formulas: the layered verdict of one side is a nested
if-then-else over the tiers, innermost last (derived here independently of engine/tiers.py).

Per tier, with `next` the value of the tiers after it (True after the last):
- FIRST_MATCH: If(rule1, act1, If(rule2, act2, ... If(selected, default, next))), where Allow is
  True, Deny False, Pass `next`, and Log is skipped; without a default action the tail is `next`.
- ISOLATION_UNION: If(selected, some Allow rule matches, next).
- UNION_MINUS_DENY: If(some Deny matches, False, If(selected, some Allow matches, next)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import z3

from policylint.engine.smt.symbols import Endpoint, Z, in_network
from policylint.model import Direction, IPBlock
from policylint.model.rule_form import (
    NETWORK_POLICY_RANK,
    Action,
    Combine,
    FormRule,
    Match,
    PodScope,
    Tier,
    TierPolicy,
)

if TYPE_CHECKING:
    from policylint.engine.smt.encode import Encoder, FlowVars

# (isolated, allowed) of native NetworkPolicy v1 at the endpoint
NpParts = Callable[[], tuple[Z, Z]]


def layers(tiers: tuple[Tier, ...]) -> list[Tier | None]:
    """Rank, then name; None is native NetworkPolicy unless a tier holds it."""
    keyed: list[tuple[float, str, Tier | None]] = [(t.rank, t.name, t) for t in tiers]
    if all(not t.holds_network_policy for t in tiers):
        keyed.append((NETWORK_POLICY_RANK, "NetworkPolicy", None))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [k[2] for k in keyed]


class FormEncoder:
    def __init__(self, enc: Encoder) -> None:
        self.enc = enc

    # -- pods and addresses ----------------------------------------------------------------
    def scope(self, scope: PodScope, ep: Endpoint) -> Z:
        e = self.enc
        terms = [e.selectable(ep), e.selector(scope.pods, ep.has, ep.val, ep.text)]
        if scope.namespace is not None:
            terms.append(e.in_namespace(ep, scope.namespace))
        elif scope.namespace_selector is not None:
            terms.append(e.selector(scope.namespace_selector, ep.ns_has, ep.ns_val, ep.ns_text))
        return z3.And(*terms)

    def subject(self, policy: TierPolicy, ep: Endpoint) -> Z:
        return self.enc._memoized("form-subject", (policy, ep),
                                  lambda: self.enc.any([self.scope(s, ep) for s in policy.subject]))

    def networks(self, m: Match, blocks: tuple[IPBlock, ...], ep: Endpoint) -> Z:
        """In one of the blocks. Pods: only a whole address family is known to hold them."""
        e = self.enc
        outside = []
        for b in blocks:
            net = b.network
            if net is None:
                continue
            excepts = [x for x in b.except_networks if x is not None and x.version == net.version]
            outside.append(z3.And(in_network(ep, net), *[z3.Not(in_network(ep, x)) for x in excepts]))
        counts = m.networks_match_pods or e.assumptions.ipblocks_match_pods
        whole = counts and any(b.network is not None and b.network.prefixlen == 0 and not b.except_ for b in blocks)
        return z3.If(ep.ext, e.any(outside), z3.BoolVal(whole, e.ctx))

    def match(self, m: Match, other: Endpoint) -> Z:
        e = self.enc
        if m.unresolved:
            return e.false
        terms: list[Z] = []
        if m.pods is not None:
            terms.append(self.scope(m.pods, other))
        if m.not_pods is not None:
            terms.append(z3.Not(self.scope(m.not_pods, other)))
        if m.networks is not None:
            terms.append(self.networks(m, m.networks, other))
        if m.not_networks is not None:
            terms.append(z3.Not(self.networks(m, m.not_networks, other)))
        if m.external_only:
            terms.append(other.ext)
        if m.pods_only:
            terms.append(z3.Not(other.ext))
        return e.all(terms)

    def rule(self, rule: FormRule, other: Endpoint, flow: FlowVars) -> Z:
        def build() -> Z:
            e = self.enc
            peers = e.any([self.match(m, other) for m in rule.peers])
            ports = e.true if rule.ports is None else e.any([e.port(s, flow.dst, flow) for s in rule.ports])
            terms = [peers, ports]
            if rule.not_ports:
                terms.append(z3.Not(e.any([e.port(s, flow.dst, flow) for s in rule.not_ports])))
            return z3.And(*terms)

        return self.enc._memoized("form-rule", (rule, other, flow), build)

    # -- tiers -----------------------------------------------------------------------------
    def side(self, ep: Endpoint, other: Endpoint, direction: Direction, flow: FlowVars, np: NpParts) -> Z:
        value = self.enc.true
        for layer in reversed(layers(self.enc.cluster.tiers)):
            if layer is None:
                isolated, allowed = np()
                value = z3.If(isolated, allowed, value)
            else:
                value = self.tier(layer, ep, other, direction, flow, value)
        return value

    def tier(self, tier: Tier, ep: Endpoint, other: Endpoint, direction: Direction, flow: FlowVars, nxt: Z) -> Z:
        every = tier.combine is Combine.UNION_MINUS_DENY
        entries = [(p, r) for p in tier.policies if every or direction in p.directions
                   for r in p.rules if r.direction is direction]
        selected = self.enc.any([self.subject(p, ep) for p in tier.policies if direction in p.directions])
        if tier.combine is Combine.FIRST_MATCH:
            return self._first_match(tier, entries, selected, ep, other, flow, nxt)

        def matching(action: Action) -> Z:
            return self.enc.any([z3.And(self.subject(p, ep), self.rule(r, other, flow))
                                 for p, r in entries if r.action is action])

        if tier.combine is Combine.ISOLATION_UNION:
            return z3.If(selected, matching(Action.ALLOW), nxt)
        return z3.If(matching(Action.DENY), self.enc.false, z3.If(selected, matching(Action.ALLOW), nxt))

    def _first_match(self, tier: Tier, entries: list[tuple[TierPolicy, FormRule]], selected: Z, ep: Endpoint,
                     other: Endpoint, flow: FlowVars, nxt: Z) -> Z:
        value = nxt
        if tier.default_action in (Action.ALLOW, Action.DENY):
            value = z3.If(selected, z3.BoolVal(tier.default_action is Action.ALLOW, self.enc.ctx), nxt)
        outcome = {Action.ALLOW: self.enc.true, Action.DENY: self.enc.false, Action.PASS: nxt}
        for p, r in reversed(entries):
            if r.action is Action.LOG:
                continue
            value = z3.If(z3.And(self.subject(p, ep), self.rule(r, other, flow)), outcome[r.action], value)
        return value
