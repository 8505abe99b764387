"""CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) -> one UNION_MINUS_DENY tier.

Semantics followed: Cilium 1.18 (the CRDs the schemas come from; pkg/policy/api and
Documentation/security/policy/ in cilium/cilium). Version-dependent points are CiliumOptions.

Each `spec` (and each item of `specs`) is one Cilium rule: a TierPolicy whose subject is the
endpointSelector, whose directions are the sections it has (`ingress`/`ingressDeny` for ingress,
`egress`/`egressDeny` for egress; docs intro.rst "Endpoint default policy", deny.rst "Pods will
enter default-deny mode as soon as a single policy selects it") unless `enableDefaultDeny` turns
them off, with Allow rules from `ingress`/`egress` and Deny rules from `ingressDeny`/`egressDeny`.
The tier also enforces NetworkPolicy v1 (`holds_network_policy`): allows are one union across all
kinds and any deny wins (deny.rst: "Deny policies take precedence over allow policies, regardless
of whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a
Kubernetes Network Policy").

A policy the agent rejects is dropped whole and reported (NP741) at the offending line; a host
policy (`nodeSelector`) is outside the model and reported (NP742).
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.findings import InputProblem, Span
from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_cilium_peers import L3, Scoping, l3_peers
from policylint.model.build_cilium_ports import Rejected, port_rules
from policylint.model.build_cilium_selector import intersect, peer_scope, read_translated, subject_scope
from policylint.model.build_meta import metadata
from policylint.model.cilium_services import ServiceBackends
from policylint.model.dialect_options import CiliumOptions
from policylint.model.endpoints import ServiceEndpoints
from policylint.model.policy import Direction
from policylint.model.rule_form import (
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
from policylint.model.workload import Namespace, Service

CILIUM_TIER = "Cilium"
CNP, CCNP = "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"
POLICY_REJECTED = "NP741"  # rules/np741_cilium_policy_rejected.py
HOST_POLICY = "NP742"  # rules/np742_cilium_host_policy.py
SECTIONS = (("ingress", Direction.INGRESS, Action.ALLOW), ("ingressDeny", Direction.INGRESS, Action.DENY),
            ("egress", Direction.EGRESS, Action.ALLOW), ("egressDeny", Direction.EGRESS, Action.DENY))


def build_cilium(r: Reader, objects: Sequence[LMap], default_namespace: str,
                 namespaces: Sequence[Namespace], options: CiliumOptions | None = None,
                 services: Sequence[Service] = (),
                 endpoints: Sequence[ServiceEndpoints] = ()) -> list[Tier]:  # fmt: skip
    opts = options or CiliumOptions()
    backends = ServiceBackends.of(endpoints, services)
    policies: list[TierPolicy] = []
    for doc in objects:
        kind = doc.get("kind")
        if doc.get("apiVersion") != "cilium.io/v2" or kind not in (CNP, CCNP):
            continue
        try:
            policies.extend(_policy(r, doc, str(kind), default_namespace, opts, backends))
        except Skip:
            continue
        except Rejected as err:
            where = err.where if isinstance(err.where, Span) else doc.span
            r.problems.append(InputProblem(POLICY_REJECTED, where, f"{err.message}; the Cilium agent rejects "
                                           f"this {kind} whole, so policylint ignores it"))
    if not policies:
        return []
    policies.sort(key=lambda p: p.order)
    return [Tier(CILIUM_TIER, Combine.UNION_MINUS_DENY, NETWORK_POLICY_RANK, tuple(policies),
                 holds_network_policy=True)]


def _policy(r: Reader, doc: LMap, kind: str, default_namespace: str, opts: CiliumOptions,
            backends: ServiceBackends) -> list[TierPolicy]:  # fmt: skip
    meta = metadata(r, doc, kind, default_namespace)
    namespace = meta.namespace if kind == CNP else None
    specs: list[tuple[str, LMap]] = []
    if isinstance(doc.get("spec"), LMap):
        specs.append(("", doc["spec"]))
    written = doc.get("specs")
    if isinstance(written, LSeq):
        specs.extend((f"specs[{i}].", s) for i, s in enumerate(written) if isinstance(s, LMap))
    if not specs:
        raise Rejected(doc.span, f"{kind} {meta.name}: needs 'spec' or 'specs'")
    origin = Origin(kind, meta.name, namespace, doc.span, CILIUM_TIER)
    out = [_spec(r, origin, prefix, spec, opts, backends) for prefix, spec in specs]
    return [p for p in out if p is not None]


def _spec(r: Reader, origin: Origin, prefix: str, spec: LMap, opts: CiliumOptions,
          backends: ServiceBackends) -> TierPolicy | None:  # fmt: skip
    path = f"{prefix or 'spec.'}".rstrip(".")
    if "nodeSelector" in spec and "endpointSelector" not in spec:
        r.problems.append(InputProblem(HOST_POLICY, spec.key_span("nodeSelector"),
                                       f"{origin.kind} {origin.ref} {path} is a host policy (nodeSelector): "
                                       "nodes are outside the model, so policylint ignores it"))
        return None
    if "endpointSelector" not in spec:
        raise Rejected(spec.span, f"{path}: needs endpointSelector or nodeSelector")
    if not any(key in spec for key, _, _ in SECTIONS) and opts.reject_rule_without_sections:
        raise Rejected(spec.span, f"{path}: has none of ingress, ingressDeny, egress, egressDeny (Cilium 1.17+; "
                       f"following Cilium {opts.version}, `cilium: {{version}}` in .policylint.yaml)")
    subject = subject_scope(read_translated(r, spec["endpointSelector"], spec.value_span("endpointSelector"),
                                            f"{path}.endpointSelector"), origin.namespace)
    scoping = Scoping(origin.namespace, opts.namespace_labels_widen, opts.empty_list_selects_nothing, backends)
    rules: list[FormRule] = []
    for key, direction, action in SECTIONS:
        seq = spec.get(key)
        if not isinstance(seq, LSeq):
            continue
        for i, item in enumerate(seq):
            if isinstance(item, LMap):
                where = Origin(origin.kind, origin.name, origin.namespace, seq.item_span(i), CILIUM_TIER, None, i,
                               f"{prefix}{key}", action.value)
                rules.append(_rule(r, item, direction, action, where, f"{path}.{key}[{i}]", scoping))
    return TierPolicy(subject=(subject,), directions=_directions(spec), rules=tuple(rules),
                      origin=Origin(origin.kind, origin.name, origin.namespace, spec.span, CILIUM_TIER,
                                    section=prefix.rstrip(".")),
                      order=(0.0, f"{origin.kind}/{origin.ref}/{prefix}"))


def _directions(spec: LMap) -> tuple[Direction, ...]:
    """Default deny per direction once a section has a rule, unless enableDefaultDeny says false
    (pkg/policy/api/rule_validation.go Sanitize: `len(r.Ingress) > 0 || len(r.IngressDeny) > 0`)."""
    dd = spec.get("enableDefaultDeny")
    out = []
    pairs = ((Direction.INGRESS, ("ingress", "ingressDeny")), (Direction.EGRESS, ("egress", "egressDeny")))
    for direction, keys in pairs:
        off = isinstance(dd, LMap) and dd.get(direction.value.lower()) is False
        if any(isinstance(spec.get(k), LSeq) and len(spec[k]) > 0 for k in keys) and not off:
            out.append(direction)
    return tuple(out)


def _rule(r: Reader, item: LMap, direction: Direction, action: Action, origin: Origin, path: str,
          scoping: Scoping) -> FormRule:
    prefix = "from" if direction is Direction.INGRESS else "to"
    if "toServices" in item and "toPorts" in item:  # language.rst "Services based", Limitations
        raise Rejected(item.key_span("toPorts"), f"{path}: combining toServices and toPorts is not supported by Cilium")
    l3 = l3_peers(r, item, prefix, path, scoping)
    ports = port_rules(r, item, path)
    unmodelled = list(ports.l7)
    specs = ports.specs
    if "icmps" in item:
        if "toPorts" in item:
            raise Rejected(item.key_span("icmps"), f"{path}: combining toPorts and icmps is not supported by Cilium")
        specs = ()  # ICMP only: no TCP, UDP or SCTP port
        unmodelled.append(f"ICMP types ({path}.icmps)")
    elif "toPorts" not in item and not l3.field:
        return FormRule(direction, action, (), (), origin)  # `- {}`: selects nothing, only isolates
    if "authentication" in item:
        unmodelled.append(f"mutual authentication ({path}.authentication)")
    peers = _with_requires(r, item, prefix, path, l3, scoping) if action is Action.ALLOW else l3.peers
    return FormRule(direction, action, peers, specs, origin, unmodelled=tuple(unmodelled))


def _with_requires(r: Reader, item: LMap, prefix: str, path: str, l3: L3, scoping: Scoping) -> tuple[Match, ...]:
    """fromRequires/toRequires: every allowed peer must also match each requirement (layer3.rst
    "Additional Label Requirements"; deprecated in 1.17, removed in 1.19)."""
    key = f"{prefix}Requires"
    seq = item.get(key)
    if not isinstance(seq, LSeq) or not seq:
        return l3.peers
    needs = [peer_scope(read_translated(r, s, seq.item_span(i), f"{path}.{key}[{i}]"), scoping.namespace,
                        scoping.namespace_labels_widen) for i, s in enumerate(seq)]
    out: list[Match] = []
    for m in l3.peers:
        # Requirements are labels, so only pods meet them (world and CIDR peers carry none).
        scope: PodScope | None = m.pods if m.pods is not None else (
            None if m.external_only or m.unresolved else PodScope(EVERYTHING))
        for need in needs:
            scope = intersect(scope, need) if scope is not None else None
        if scope is not None:
            out.append(Match(pods=scope, unresolved=m.unresolved))
    return tuple(out)

