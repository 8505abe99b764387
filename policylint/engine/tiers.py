"""The layered verdict of one side: tiers walked in rank order, each with its combine rule.

For one endpoint, direction and peer, every (protocol, port) starts undecided. Each tier decides
some of the undecided ports and hands the rest (including what a Pass handed down) to the next;
what no tier decides is allowed. docs/layers.md states the rules; they are, per tier kind:

- FIRST_MATCH: policies selecting the endpoint for this direction by `order`, rules in order; a
  matching rule's ports are decided by Allow/Deny, handed to the next tier by Pass (skipping the
  rest of this tier), or left undecided by Log. Ports no rule matched get the tier's default
  action when some policy of the tier selects the endpoint, else fall through.
- ISOLATION_UNION: NetworkPolicy v1. Selected for the direction: allowed iff an Allow rule
  admits, and final. Not selected: fall through.
- UNION_MINUS_DENY: a matching Deny of a selecting policy denies, finally. Selected by a policy
  listing the direction: allowed iff an Allow admits, and final. Otherwise fall through.

NetworkPolicy v1 itself is evaluated natively by the Evaluator (the `None` layer) unless a
dialect tier holds it (`Tier.holds_network_policy`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from policylint.engine.bitset import has
from policylint.engine.cidr import AddressSpace
from policylint.engine.connset import ALL, NONE, ConnSet
from policylint.engine.flow import Decision, Endpoint
from policylint.engine.form_index import CompiledForm, FormIndex
from policylint.model.policy import Direction
from policylint.model.rule_form import NETWORK_POLICY_RANK, Action, Combine, Origin, Tier, TierPolicy
from policylint.model.workload import Workload

NETWORK_POLICY = "NetworkPolicy"
Layer = Tier | None  # None: NetworkPolicy v1, evaluated natively
Region = tuple[ConnSet, tuple[Origin, ...]]  # undecided ports and the Pass rules that handed them down


def layer_order(tiers: Sequence[Tier]) -> tuple[Layer, ...]:
    """The tiers by rank then name, with native NetworkPolicy at its rank unless a tier holds it."""
    keyed: list[tuple[float, str, Layer]] = [(t.rank, t.name, t) for t in tiers]
    if not any(t.holds_network_policy for t in tiers):
        keyed.append((NETWORK_POLICY_RANK, NETWORK_POLICY, None))
    return tuple(layer for _, _, layer in sorted(keyed, key=lambda k: (k[0], k[1])))


@dataclass(slots=True)
class SideRun:
    """Accumulators of one walk; decisions and notes only when recording."""

    record: bool
    allowed: ConnSet = NONE
    decisions: list[Decision] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    np_consulted: bool = False

    def decide(self, conns: ConnSet, ok: bool, tier: str, how: str, passed: tuple[Origin, ...],
               origin: Origin | None = None, policies: tuple[Origin, ...] = (),
               unmodelled: tuple[str, ...] = (), network_policy: bool = False) -> None:
        if not conns:
            return
        if ok:
            self.allowed = self.allowed | conns
        if self.record:
            self.decisions.append(Decision(conns, ok, tier, how, origin, policies, passed, unmodelled,
                                           network_policy, self.np_consulted or network_policy))

    def note(self, text: str) -> None:
        if self.record and text not in self.notes:
            self.notes.append(text)


NpConns = Callable[[int, Endpoint, Direction], ConnSet]
NpIsolated = Callable[[int, Direction], bool]


class Layers:
    def __init__(self, tiers: Sequence[Tier], forms: FormIndex, space: AddressSpace,
                 workloads: Sequence[Workload], np_conns: NpConns, np_isolated: NpIsolated) -> None:
        self.layers = layer_order(tiers)
        self.forms, self.space, self.workloads = forms, space, workloads
        self.np_conns, self.np_isolated = np_conns, np_isolated
        self._subjects: dict[int, int] = {}
        # (tier, endpoint, direction) -> the tier's policies selecting the endpoint and their rules
        # for the direction: the same for every peer, so computed once per endpoint, not per pair.
        self._selected: dict[tuple[int, int, Direction], tuple[tuple[Origin, ...], Rules]] = {}
        # NetworkPolicy v1 evaluated natively (no tier holds it): its isolation is one layer of the walk.
        self.native_network_policy = any(layer is None for layer in self.layers)
        self._touched: dict[Direction, int] = {}

    def subjects(self, policy: TierPolicy) -> int:
        """The workloads `policy` selects (bitset)."""
        bits = self._subjects.get(id(policy))
        if bits is None:
            bits = self._subjects[id(policy)] = self.forms.subject(policy)
        return bits

    def selects(self, policy: TierPolicy, endpoint: int) -> bool:
        return has(self.subjects(policy), endpoint)

    def touched(self, direction: Direction) -> int:
        """Workloads some tier policy selects and either governs in `direction` or has a rule of it
        for (bitset). For any other workload every tier falls through in that direction (no rule
        is consulted, no default applies: a FIRST_MATCH default needs a selecting policy), so its
        side is the native NetworkPolicy one, whatever the peer."""
        bits = self._touched.get(direction)
        if bits is None:
            bits = 0
            for layer in self.layers:
                for p in layer.policies if layer is not None else ():
                    if direction in p.directions or any(r.direction is direction for r in p.rules):
                        bits |= self.subjects(p)
            self._touched[direction] = bits
        return bits

    def peer_in(self, rule: CompiledForm, other: Endpoint) -> bool:
        if isinstance(other, int):
            return has(rule.pods, other)
        return has(rule.atoms, self.space.atom_of(other))

    def walk(self, endpoint: int, other: Endpoint, direction: Direction, record: bool = False) -> SideRun:
        run = SideRun(record)
        dst = self.workloads[endpoint] if direction is Direction.INGRESS else (
            self.workloads[other] if isinstance(other, int) else None)
        pending: list[Region] = [(ALL, ())]
        for layer in self.layers:
            if not pending:
                break
            nxt: list[Region] = []
            for conns, passed in pending:
                nxt.extend(self._layer(layer, run, endpoint, other, direction, dst, conns, passed))
            pending = [r for r in nxt if r[0]]
            if layer is None or layer.holds_network_policy:
                run.np_consulted = True
        for conns, passed in pending:
            run.decide(conns, True, "", "end", passed)
        return run

    def _layer(self, layer: Layer, run: SideRun, endpoint: int, other: Endpoint, direction: Direction,
               dst: Workload | None, conns: ConnSet, passed: tuple[Origin, ...]) -> list[Region]:
        if layer is None:
            if not self.np_isolated(endpoint, direction):
                return [(conns, passed)]
            admitted = conns & self.np_conns(endpoint, other, direction)
            run.decide(admitted, True, NETWORK_POLICY, "rule", passed, network_policy=True)
            run.decide(conns - admitted, False, NETWORK_POLICY, "isolated", passed, network_policy=True)
            return []
        # Cilium's denies count whether or not their policy isolates; elsewhere a policy's rules
        # count only in the directions it governs (NetworkPolicy policyTypes, Calico types).
        listing, rules = self._selecting(layer, endpoint, direction)
        if run.record:
            self._notes(run, rules, other, conns, dst)
        step = _first_match if layer.combine is Combine.FIRST_MATCH else (
            _isolation_union if layer.combine is Combine.ISOLATION_UNION else _union_minus_deny)
        return step(self, layer, run, rules, listing, other, dst, conns, passed)

    def _selecting(self, layer: Tier, endpoint: int, direction: Direction) -> tuple[tuple[Origin, ...], Rules]:
        key = (id(layer), endpoint, direction)
        hit = self._selected.get(key)
        if hit is None:
            every = layer.combine is Combine.UNION_MINUS_DENY
            selecting = [p for p in layer.policies if self.selects(p, endpoint)]
            listing = tuple(p.origin for p in selecting if direction in p.directions)
            rules = [(p, r) for p in selecting if every or direction in p.directions
                     for r in self.forms.rules(p) if r.rule.direction is direction]  # fmt: skip
            hit = self._selected[key] = (listing, rules)
        return hit

    def _notes(self, run: SideRun, rules: list[tuple[TierPolicy, CompiledForm]], other: Endpoint,
               conns: ConnSet, dst: Workload | None) -> None:
        for _, r in rules:
            if r.unresolved and r.conns_for(dst) & conns:
                names = ", ".join(r.unresolved)
                run.note(f"{_rule_text(r.rule.origin)} names {names}, which cannot be resolved offline: "
                         "treated as matching nothing")


Rules = list[tuple[TierPolicy, CompiledForm]]


def _first_match(
    ls: Layers, tier: Tier, run: SideRun, rules: Rules, listing: tuple[Origin, ...],
    other: Endpoint, dst: Workload | None, conns: ConnSet, passed: tuple[Origin, ...],
) -> list[Region]:
    out: list[Region] = []
    rest = conns
    for _, r in rules:
        if not rest:
            break
        if r.rule.action is Action.LOG or not ls.peer_in(r, other):
            continue
        hit = rest & r.conns_for(dst)
        if not hit:
            continue
        rest = rest - hit
        origin = r.rule.origin
        if r.rule.action is Action.PASS:
            out.append((hit, (*passed, origin)))
        else:
            run.decide(hit, r.rule.action is Action.ALLOW, tier.name, "rule", passed, origin, listing,
                       r.rule.unmodelled)
    default = tier.default_action
    if listing and default in (Action.ALLOW, Action.DENY):
        run.decide(rest, default is Action.ALLOW, tier.name, "default", passed, policies=listing)
    else:
        out.append((rest, passed))
    return out


def _admitting(ls: Layers, run: SideRun, tier: Tier, rules: Rules, action: Action, other: Endpoint,
               dst: Workload | None, conns: ConnSet, passed: tuple[Origin, ...], listing: tuple[Origin, ...],
               ok: bool) -> ConnSet:
    """Decide the ports of `conns` that `action` rules match (each by the first such rule)."""
    rest = conns
    for _, r in rules:
        if rest and r.rule.action is action and ls.peer_in(r, other):
            hit = rest & r.conns_for(dst)
            rest = rest - hit
            run.decide(hit, ok, tier.name, "rule", passed, r.rule.origin, listing, r.rule.unmodelled)
    return conns - rest


def _isolation_union(
    ls: Layers, tier: Tier, run: SideRun, rules: Rules, listing: tuple[Origin, ...],
    other: Endpoint, dst: Workload | None, conns: ConnSet, passed: tuple[Origin, ...],
) -> list[Region]:
    if not listing:
        return [(conns, passed)]
    admitted = _admitting(ls, run, tier, rules, Action.ALLOW, other, dst, conns, passed, listing, True)
    run.decide(conns - admitted, False, tier.name, "isolated", passed, policies=listing)
    return []


def _union_minus_deny(
    ls: Layers, tier: Tier, run: SideRun, rules: Rules, listing: tuple[Origin, ...],
    other: Endpoint, dst: Workload | None, conns: ConnSet, passed: tuple[Origin, ...],
) -> list[Region]:
    denied = _admitting(ls, run, tier, rules, Action.DENY, other, dst, conns, passed, listing, False)
    rest = conns - denied
    if not listing:
        return [(rest, passed)]
    admitted = _admitting(ls, run, tier, rules, Action.ALLOW, other, dst, rest, passed, listing, True)
    run.decide(rest - admitted, False, tier.name, "isolated", passed, policies=listing)
    return []


def _rule_text(o: Origin) -> str:
    where = f"{o.kind} {o.ref}"
    section = f" {o.section}" if o.section else ""
    rule = f"{section} rule {o.rule_index + 1}" if o.rule_index is not None else ""
    return f"{where}{rule} ({o.span})"
