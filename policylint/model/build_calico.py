"""Calico (projectcalico.org/v3) objects compiled into first-match tiers of the rule form.

Semantics (docs.tigera.io/calico/latest/reference/resources/{tier,networkpolicy,
globalnetworkpolicy,networkset,globalnetworkset,stagednetworkpolicy}):
- tiers are evaluated by `order` (unset: last), ties by name; the built-in tiers are
  `kube-admin` (1,000), `default` (1,000,000, which holds Kubernetes NetworkPolicies at order
  1000) and `kube-baseline` (10,000,000); a tier that selects the endpoint but matches nothing
  ends in its `defaultAction` (Deny unless Pass; the kube-* tiers Pass);
- policies within a tier by `order` (unset: last), ties by name; rules in order;
- `types` unset: Ingress if the policy has ingress rules or no egress rules, Egress if it has
  egress rules (so an egress-only policy is Egress only, unlike Kubernetes);
- Staged* policies are read and compiled with their kind in the origin; they never enforce
  (model/calico_staged.py keeps them out unless the user asks what they would change).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_calico_meta import calico_metadata as metadata
from policylint.model.build_calico_rules import RuleContext, form_rule, selector_text
from policylint.model.build_calico_scope import (
    NetSet,
    in_namespace,
    namespace_selector,
    pod_scopes,
    service_account_node,
)
from policylint.model.build_policy import network_policy
from policylint.model.calico_selector import ALL, And, Node
from policylint.model.compile_network_policy import tier_policy
from policylint.model.policy import Direction
from policylint.model.rule_form import (
    ADMIN_RANK,
    BASELINE_RANK,
    NETWORK_POLICY_RANK,
    Action,
    Combine,
    FormRule,
    Origin,
    Tier,
    TierPolicy,
)
from policylint.model.workload import Namespace

CALICO_V3 = "projectcalico.org/v3"
NAMESPACED = ("NetworkPolicy", "StagedNetworkPolicy")
GLOBAL = ("GlobalNetworkPolicy", "StagedGlobalNetworkPolicy")
STAGED_KNP = "StagedKubernetesNetworkPolicy"
KINDS = frozenset({*NAMESPACED, *GLOBAL, "Tier", "NetworkSet", "GlobalNetworkSet", "Profile", STAGED_KNP})
# Calico compiles each Kubernetes NetworkPolicy into its default tier at order 1000
# (docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy#the-default-tier).
NETWORK_POLICY_ORDER = 1000.0
# name -> (order, default action); Calico creates these itself.
BUILT_IN: dict[str, tuple[float, Action]] = {
    "kube-admin": (ADMIN_RANK, Action.PASS),
    "default": (NETWORK_POLICY_RANK, Action.DENY),
    "kube-baseline": (BASELINE_RANK, Action.PASS),
}
UNSET = math.inf  # an unset order sorts last


@dataclass(frozen=True, slots=True)
class _TierSpec:
    order: float
    default_action: Action


def build_calico(r: Reader, objects: Sequence[LMap], default_namespace: str,
                 namespaces: Sequence[Namespace]) -> list[Tier]:  # fmt: skip
    mine = [o for o in objects if o.get("apiVersion") == CALICO_V3 and o.get("kind") in KINDS]
    if not mine:
        return []
    ns_index = {n.name: n for n in namespaces}
    tiers = {name: _TierSpec(order, action) for name, (order, action) in BUILT_IN.items()}
    sets: list[NetSet] = []
    for obj in mine:
        try:
            _collect(r, obj, default_namespace, tiers, sets)
        except Skip:
            continue
    policies: dict[str, list[TierPolicy]] = {name: [] for name in tiers}
    for obj in mine:
        try:
            if obj.get("kind") in NAMESPACED + GLOBAL:
                _policy(r, obj, default_namespace, sets, ns_index, tiers, policies)
            elif obj.get("kind") == STAGED_KNP:
                policies["default"].extend(_staged_kubernetes(r, obj, default_namespace))
        except Skip:
            continue
    return [_tier(name, spec, policies[name]) for name, spec in tiers.items()]


def _tier(name: str, spec: _TierSpec, policies: list[TierPolicy]) -> Tier:
    ordered = tuple(sorted(policies, key=lambda p: p.order))
    return Tier(name, Combine.FIRST_MATCH, spec.order, ordered, spec.default_action, name == "default")


def _collect(r: Reader, obj: LMap, default_ns: str, tiers: dict[str, _TierSpec], sets: list[NetSet]) -> None:
    kind = str(obj.get("kind"))
    if kind not in ("Tier", "NetworkSet", "GlobalNetworkSet"):
        return
    meta = metadata(r, obj, kind, default_ns)
    spec: LMap = r.field(obj, "spec", LMap, kind) or LMap()
    if kind == "Tier":
        if meta.name in BUILT_IN:
            return  # Calico fixes the built-in tiers' order
        order = r.field(spec, "order", (int, float), "spec")
        action = Action.PASS if spec.get("defaultAction") == "Pass" else Action.DENY
        tiers[meta.name] = _TierSpec(UNSET if order is None else float(order), action)
        return
    nets: LSeq = r.field(spec, "nets", LSeq, "spec") or LSeq()
    sets.append(NetSet(meta.name, meta.namespace if kind == "NetworkSet" else None, meta.labels,
                       tuple(str(n) for n in nets)))  # fmt: skip


def _policy(r: Reader, obj: LMap, default_ns: str, sets: list[NetSet], ns_index: dict[str, Namespace],
            tiers: dict[str, _TierSpec], out: dict[str, list[TierPolicy]]) -> None:  # fmt: skip
    kind = str(obj.get("kind"))
    meta = metadata(r, obj, kind, default_ns)
    spec: LMap = r.field(obj, "spec", LMap, kind) or LMap()
    namespace = meta.namespace if kind in NAMESPACED else None
    tier = r.field(spec, "tier", str, "spec") or "default"
    if tier not in tiers:
        r.bad(spec.value_span("tier"), "spec.tier", f"tier {tier!r} is not defined in the input (Calico rejects "
              "a policy whose tier does not exist); policy skipped")  # fmt: skip
        return
    order = r.field(spec, "order", (int, float), "spec")
    origin = Origin(kind, meta.name, namespace, obj.span, tier, order, section="",
                    staged_action=_staged_action(r, kind, spec))  # fmt: skip
    ctx = RuleContext(namespace, sets, ns_index)
    rules: list[FormRule] = []
    for direction in Direction:
        seq: LSeq = r.field(spec, direction.value.lower(), LSeq, "spec") or LSeq()
        for i, item in enumerate(seq):
            if isinstance(item, LMap):
                rules.append(form_rule(r, ctx, item, direction, i, origin))
    subject_node = _subject(r, spec, namespace)
    accounts, modelled = service_account_node((), selector_text(r, spec, "serviceAccountSelector", "spec"))
    if accounts is not None:  # the policy applies to the endpoints both select (networkpolicyprocessor.go)
        subject_node = And((subject_node, accounts))
    if not modelled:
        rules = [_note(rule, "the policy's serviceAccountSelector on ServiceAccount labels") for rule in rules]
    subject = pod_scopes(subject_node)
    sort_key = (UNSET if order is None else float(order), meta.name)
    out[tier].append(TierPolicy(subject, _types(spec), tuple(rules), origin, sort_key))


def _staged_action(r: Reader, kind: str, spec: LMap) -> str:
    """A staged kind's `stagedAction` (default Set: the policy as it would be enforced); "" if not staged."""
    if not kind.startswith("Staged"):
        return ""
    return r.field(spec, "stagedAction", str, "spec") or "Set"


def _staged_kubernetes(r: Reader, obj: LMap, default_ns: str) -> list[TierPolicy]:
    """A StagedKubernetesNetworkPolicy as the Kubernetes NetworkPolicy it previews (same spec, the
    default tier at order 1000, stagedactions as for the other staged kinds)."""
    meta = metadata(r, obj, STAGED_KNP, default_ns)
    found = network_policy(r, obj, meta.namespace, meta.name, meta.annotations)
    if found is None:
        return []
    spec: LMap = r.field(obj, "spec", LMap, STAGED_KNP) or LMap()
    compiled = tier_policy(found, "default", NETWORK_POLICY_ORDER)
    origin = replace(compiled.origin, kind=STAGED_KNP, staged_action=_staged_action(r, STAGED_KNP, spec))
    rules = tuple(replace(rule, origin=replace(rule.origin, kind=STAGED_KNP)) for rule in compiled.rules)
    return [replace(compiled, origin=origin, rules=rules)]


def _subject(r: Reader, spec: LMap, namespace: str | None) -> Node:
    sel = selector_text(r, spec, "selector", "spec") or ALL
    if namespace is not None:
        return And((in_namespace(namespace), sel))
    ns_sel = selector_text(r, spec, "namespaceSelector", "spec")
    return And((namespace_selector(ns_sel), sel)) if ns_sel is not None else sel


def _types(spec: LMap) -> tuple[Direction, ...]:
    written = spec.get("types")
    if isinstance(written, LSeq) and written:
        return tuple(d for d in Direction if d.value in written)
    has_ingress, has_egress = bool(spec.get("ingress")), bool(spec.get("egress"))
    out = [Direction.INGRESS] if has_ingress or not has_egress else []
    return tuple(out + ([Direction.EGRESS] if has_egress else []))


def _note(rule: FormRule, note: str) -> FormRule:
    return FormRule(rule.direction, rule.action, rule.peers, rule.ports, rule.origin, rule.not_ports,
                    (*rule.unmodelled, note))  # fmt: skip
