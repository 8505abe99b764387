"""Network plugin profiles: what each plugin enforces, read from profiles.json (with sources).

The `cni:` setting names one; it sets the matching assumptions (ipBlocks and pod IPs,
hostNetwork pods) and lets rules say which policies and features the plugin ignores.

profiles.json holds, per plugin, what policylint assumes of it, every value with its source
(`sources`); `null` means the sources leave it open and policylint keeps its generic default.
Fields: enforces (API groups/versions of the policy kinds the plugin enforces),
ipblocks_match_pods, host_network_selectable, sctp, end_port, named_ports_egress, daemonsets
(names of the plugin's DaemonSet, to recognise it in the manifests). JSON rather than YAML: every
command reads it at start (`--cni` choices), and the json module is there anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from policylint.engine.flow import Assumptions
from policylint.model.cluster import Cluster
from policylint.model.rule_form import Tier

GENERIC = "generic"
NETWORK_POLICY_V1 = "networking.k8s.io/v1"
NETWORK_POLICY_KIND = "NetworkPolicy"  # the kind compile_network_policy.py gives NetworkPolicy v1


@dataclass(frozen=True, slots=True)
class CniProfile:
    name: str
    title: str
    enforces: tuple[str, ...]  # apiVersions whose policy kinds the plugin enforces
    ipblocks_match_pods: bool | None
    host_network_selectable: bool | None
    sctp: bool | None
    end_port: bool | None
    named_ports_egress: bool | None
    daemonsets: tuple[str, ...]
    sources: tuple[str, ...]

    def enforces_api(self, api_version: str) -> bool:
        return api_version in self.enforces

    def assumptions(self, base: Assumptions) -> Assumptions:
        """`base` with what this plugin settles (a null value keeps the base's)."""
        changes: dict[str, bool] = {}
        if self.ipblocks_match_pods is not None:
            changes["ipblocks_match_pods"] = self.ipblocks_match_pods
        if self.host_network_selectable is not None:
            changes["host_network_selectable"] = self.host_network_selectable
        return replace(base, **changes)


@cache
def profiles() -> dict[str, CniProfile]:
    data: dict[str, Any] = json.loads(resources.files("policylint.cni").joinpath("profiles.json").read_text())
    return {name: _profile(name, body) for name, body in data.items()}


def _profile(name: str, body: dict[str, Any]) -> CniProfile:
    return CniProfile(
        name, body["title"], tuple(body["enforces"]), body["ipblocks_match_pods"], body["host_network_selectable"],
        body["sctp"], body["end_port"], body["named_ports_egress"], tuple(body["daemonsets"]), tuple(body["sources"]),
    )  # fmt: skip


def profile(name: str) -> CniProfile:
    return profiles()[name]


def names() -> list[str]:
    return sorted(profiles())


def recognised(daemonsets: Iterable[str]) -> list[CniProfile]:
    """The profiles whose DaemonSet is among `daemonsets` (canal before calico: it runs calico-node too)."""
    present = set(daemonsets)
    return [p for p in profiles().values() if present & set(p.daemonsets)]


def enforced(cluster: Cluster, cni: CniProfile, tier_kinds: dict[str, frozenset[str]]) -> Cluster:
    """The cluster as the plugin sees it: policies of kinds it does not enforce removed.

    `tier_kinds` maps apiVersion -> the kinds a dialect reads (load/kinds.py); a tier policy is
    kept when its kind belongs to an apiVersion the plugin enforces.
    """
    if cni.name == GENERIC:
        return cluster
    kept_kinds = {k for api, kinds in tier_kinds.items() if cni.enforces_api(api) for k in kinds}
    if cni.enforces_api(NETWORK_POLICY_V1):
        # NetworkPolicy v1 compiled into a holding tier (Cilium's union) is enforced with it.
        kept_kinds.add(NETWORK_POLICY_KIND)
    tiers = tuple(_keep(t, kept_kinds) for t in cluster.tiers)
    policies = cluster.policies if cni.enforces_api(NETWORK_POLICY_V1) else ()
    return replace(cluster, policies=policies, tiers=tiers)


def _keep(tier: Tier, kinds: set[str]) -> Tier:
    if tier.holds_network_policy and not (kinds and all(p.origin.kind in kinds for p in tier.policies)):
        # The dialect holding NetworkPolicy is not enforced here: NetworkPolicy is evaluated natively.
        return replace(tier, policies=(), holds_network_policy=False)
    return replace(tier, policies=tuple(p for p in tier.policies if p.origin.kind in kinds))
