"""One network-policy-api object (any of the three kinds) compiled into a TierPolicy.

Upstream semantics (apis/v1alpha2/clusternetworkpolicy_types.go, ClusterNetworkPolicySpec):
rules of one policy apply in written order; the policy's rules with no entry for a direction
leave that direction alone ("CNPs with no ingress rules do not affect ingress traffic");
there is no implicit isolation. The engine evaluates policies by `order` = (priority, name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policylint.load.fields import Reader, Skip, span_in
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_tier_peers import bad_cidrs, has_address_peer, peer_match, pod_scopes
from policylint.model.policy import Direction, PortSpec
from policylint.model.rule_form import Action, FormRule, Match, Origin, TierPolicy

ACTIONS = {"Allow": Action.ALLOW, "Accept": Action.ALLOW, "Deny": Action.DENY, "Pass": Action.PASS}
_SECTIONS = (("ingress", "from", Direction.INGRESS), ("egress", "to", Direction.EGRESS))

# (reader, rule item, path) -> the rule's ports (None: every port); Skip on a CEL violation.
PortsOf = Callable[[Reader, LMap, str], tuple[PortSpec, ...] | None]


@dataclass(frozen=True, slots=True)
class Written:
    kind: str
    name: str
    tier: str  # "Admin" or "Baseline"
    priority: float | None  # None: the v1alpha1 BaselineAdminNetworkPolicy, which has none


def tier_policy(r: Reader, obj: LMap, written: Written, ports_of: PortsOf) -> TierPolicy:
    """Skip (problems recorded) when the object breaks a CRD rule JSON Schema cannot express."""
    spec: LMap = obj["spec"]
    subject = pod_scopes(r, spec["subject"], "spec.subject")
    if subject is None:
        # Nulls pass the schema but the API server prunes them, and then the subject sets nothing.
        r.bad(spec.value_span("subject"), "spec.subject", "sets neither namespaces nor pods; object skipped")
        raise Skip
    origin = Origin(written.kind, written.name, None, obj.span, written.tier, written.priority)
    rules: list[FormRule] = []
    directions: list[Direction] = []
    for section, peers_key, direction in _SECTIONS:
        items = spec.get(section)
        if not isinstance(items, LSeq) or not items:
            continue
        directions.append(direction)
        for index, item in enumerate(items):
            path = f"spec.{section}[{index}]"
            here = Origin(written.kind, written.name, None, span_in(items, index), written.tier, written.priority,
                          index, section, str(item["action"]), rule_name=_name(item))  # fmt: skip
            rules.append(_rule(r, item, direction, peers_key, path, here, ports_of))
    order = (written.priority if written.priority is not None else 1001.0, written.name)
    return TierPolicy((subject,), tuple(directions), tuple(rules), origin, order)


def _name(item: LMap) -> str:
    name = item.get("name")
    return name if isinstance(name, str) else ""


def _rule(
    r: Reader, item: LMap, direction: Direction, key: str, path: str, origin: Origin, ports_of: PortsOf
) -> FormRule:
    peers_seq: LSeq = item[key]
    if bad_cidrs(r, peers_seq, f"{path}.{key}"):
        raise Skip
    ports = ports_of(r, item, path)
    named = any(isinstance(p.port, str) for p in ports or ())
    if named and direction is Direction.EGRESS and has_address_peer(peers_seq):
        r.bad(item.span, path, "a named port cannot be used with networks, nodes or domainNames peers "
              "(the CRD rejects it); object skipped")  # fmt: skip
        raise Skip
    peers: tuple[Match, ...] = ()
    for i in range(len(peers_seq)):
        peers += peer_match(r, peers_seq, i, f"{path}.{key}[{i}]")
    return FormRule(direction, ACTIONS[str(item["action"])], peers, ports, origin)
