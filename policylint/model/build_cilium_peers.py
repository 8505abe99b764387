"""The L3 peers of one Cilium rule -> rule-form Matches.

Sources (cilium/cilium): pkg/policy/api/ingress.go, egress.go (field meanings), rule_validation.go
(what the agent rejects), entity.go (entities), Documentation/security/policy/layer3.rst.

- `fromEndpoints`/`toEndpoints`: endpoint selectors (build_cilium_selector.py for namespaces).
- `fromCIDR`/`toCIDR`, `fromCIDRSet`/`toCIDRSet` (`cidr` minus `except`): addresses outside the
  cluster only ("By default, CIDR-based selectors do not match in-cluster entities").
- `fromEntities`/`toEntities`: world -> outside the cluster, cluster -> every pod (and nodes,
  not modelled), all -> everything; host, remote-node, kube-apiserver, ingress, health, init,
  unmanaged -> named peers the analysis cannot see; none -> nothing.
- `toServices`: the endpoints of the named Services without a selector, as the input's Endpoints /
  EndpointSlices list them (model/cilium_services.py); a Service with a selector matches nothing.
- `toFQDNs`, `fromNodes`/`toNodes`, `fromGroups`/`toGroups`: resolved at run time (DNS answers,
  nodes, cloud groups): named, matched by nothing modelled.
- Every L3 field absent: every peer. A field written as an empty list selects nothing (Cilium
  1.15+, CiliumOptions.empty_list_selects_nothing).
- At most one kind of L3 peer per rule (rule_validation.go: "combining X and Y is not supported").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_cilium_ports import Rejected
from policylint.model.build_cilium_selector import Translated, peer_scope, read_translated
from policylint.model.build_policy import parse_cidr
from policylint.model.cilium_services import ServiceBackends
from policylint.model.policy import IPBlock
from policylint.model.rule_form import EVERY_PEER, Match

ENTITIES = ("all", "world", "cluster", "host", "init", "ingress", "unmanaged", "remote-node", "health",
            "none", "kube-apiserver")  # pkg/policy/api/entity.go EntitySelectorMapping
L3_FIELDS = {
    "from": ("fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities", "fromNodes", "fromGroups"),
    "to": ("toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toNodes", "toGroups"),
}


@dataclass(frozen=True, slots=True)
class Scoping:
    namespace: str | None  # the policy's namespace; None for a clusterwide policy
    namespace_labels_widen: bool
    empty_list_selects_nothing: bool
    backends: ServiceBackends | None = None  # the input's Services and their endpoints (toServices)


@dataclass(frozen=True, slots=True)
class L3:
    peers: tuple[Match, ...]
    field: str = ""  # the L3 field written ("" when none: every peer)
    empty_list: bool = False  # the field was written as []
    fqdns: tuple[str, ...] = ()


def l3_peers(r: Reader, rule: LMap, prefix: str, path: str, scoping: Scoping) -> L3:
    written = [f for f in L3_FIELDS[prefix] if f in rule and rule[f] is not None]
    non_empty = [f for f in written if not isinstance(rule[f], LSeq) or len(rule[f]) > 0]
    if len(non_empty) > 1:
        raise Rejected(rule.key_span(non_empty[1]), f"{path}: combining {non_empty[0]} and {non_empty[1]} "
                       "in one rule is not supported by Cilium")
    if not written:
        return L3(EVERY_PEER)
    name = (non_empty or written)[0]
    seq = rule[name]
    if not isinstance(seq, LSeq):
        raise Skip  # reported by schema validation
    if not seq:
        return L3(() if scoping.empty_list_selects_nothing else EVERY_PEER, name, empty_list=True)
    here = f"{path}.{name}"
    kind = name[len(prefix):]
    fqdns: tuple[str, ...] = ()
    if kind == "Endpoints":
        peers = tuple(_endpoint(r, seq, i, here, scoping) for i in range(len(seq)))
    elif kind == "CIDR":
        peers = tuple(Match(networks=(_block(seq, i, seq[i], (), here),), external_only=True)
                      for i in range(len(seq)))
    elif kind == "CIDRSet":
        peers = tuple(_cidr_rule(seq, i, here) for i in range(len(seq)))
    elif kind == "Entities":
        peers = tuple(m for i in range(len(seq)) for m in _entity(seq, i, here))
    elif kind == "Services" and scoping.backends is not None:
        peers = tuple(m for i in range(len(seq)) for m in scoping.backends.peers(seq[i], f"{here}[{i}]"))
    elif kind == "FQDNs":
        fqdns = tuple(_fqdn(item) for item in seq)
        peers = tuple(Match(unresolved=(f"toFQDNs {f} (DNS answers at run time)",)) for f in fqdns)
    else:
        peers = (Match(unresolved=(f"{name} at {seq.span} (resolved at run time)",)),)
    return L3(peers, name, fqdns=fqdns)


def _endpoint(r: Reader, seq: LSeq, i: int, path: str, scoping: Scoping) -> Match:
    t: Translated = read_translated(r, seq[i], seq.item_span(i), f"{path}[{i}]")
    if t.reserved:
        return Match(unresolved=tuple(f"reserved identity {x}" for x in t.reserved) + t.opaque)
    if t.opaque:
        return Match(unresolved=tuple(f"label {x} (not in manifests)" for x in t.opaque))
    return Match(pods=peer_scope(t, scoping.namespace, scoping.namespace_labels_widen))


def _block(seq: LSeq, i: int, text: object, excepts: tuple[str, ...], path: str) -> IPBlock:
    if not isinstance(text, str):
        raise Skip
    network = _network(text)
    if network is None:
        raise Rejected(seq.item_span(i), f"{path}[{i}]: {text!r} is not a CIDR")
    nets = tuple(_network(x) for x in excepts)
    for x, net in zip(excepts, nets, strict=True):
        if net is None:
            raise Rejected(seq.item_span(i), f"{path}[{i}].except: {x!r} is not a CIDR")
        if net.version != network.version or not net.subnet_of(network):  # type: ignore[arg-type]
            raise Rejected(seq.item_span(i), f"{path}[{i}].except: {x} is not contained within CIDR {text}")
    return IPBlock(text, excepts, network, nets, seq.item_span(i))


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" in text:
        return parse_cidr(text)
    try:  # Cilium accepts a bare address as a host prefix
        return ipaddress.ip_network(text.strip())
    except ValueError:
        return None


def _cidr_rule(seq: LSeq, i: int, path: str) -> Match:
    item = seq[i]
    if not isinstance(item, LMap):
        raise Skip
    if "cidr" not in item:
        ref = item.get("cidrGroupRef") or "cidrGroupSelector"
        return Match(unresolved=(f"CiliumCIDRGroup {ref} (not read)",))
    excepts = item.get("except")
    texts = tuple(str(x) for x in excepts) if isinstance(excepts, LSeq) else ()
    return Match(networks=(_block(seq, i, item.get("cidr"), texts, path),), external_only=True)


def _entity(seq: LSeq, i: int, path: str) -> tuple[Match, ...]:
    name = seq[i]
    if name not in ENTITIES:
        raise Rejected(seq.item_span(i), f"{path}[{i}]: unsupported entity {name!r}")
    if name == "all":
        return EVERY_PEER
    if name == "world":
        return (Match(external_only=True),)
    if name == "cluster":
        # Every pod; nodes, unmanaged and init identities are in it too but not modelled.
        return (Match(pods_only=True),)
    if name == "none":
        return ()
    return (Match(unresolved=(f"entity {name}",)),)


def _fqdn(item: object) -> str:
    if isinstance(item, LMap):
        for key in ("matchName", "matchPattern"):
            if isinstance(item.get(key), str):
                return f"{key} {item[key]}"
    return "selector"
