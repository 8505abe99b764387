"""Cilium `toServices` resolved against the Services and endpoints of the input.

Cilium's Documentation/security/policy/language.rst, "Services based": "Services based rules will
only take effect on Kubernetes services without a selector"; such a Service's endpoints are the
addresses its Endpoints / EndpointSlice objects list, and the agent turns the rule into CIDR rules
for those backend addresses (pkg/k8s/rule_translate.go generateToCidrFromEndpoint). A rule names a
Service by `k8sService` (serviceName, namespace) or `k8sServiceSelector` (a label selector over
the Service's labels, namespace); an empty namespace matches a Service of any namespace
(rule_translate.go serviceMatches). "For services backed by pods, use Endpoints Based rules": a
Service with a selector gets no rule from toServices, so the peer matches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policylint.load.located_yaml import LMap
from policylint.model.build_policy import parse_cidr
from policylint.model.endpoints import ServiceEndpoints
from policylint.model.policy import IPBlock
from policylint.model.rule_form import Match
from policylint.model.selector import LabelSelector, matches
from policylint.model.workload import Service


@dataclass(frozen=True, slots=True)
class ServiceBackends:
    services: tuple[Service, ...]
    addresses: dict[tuple[str, str], tuple[str, ...]]  # (namespace, service) -> backend addresses

    @staticmethod
    def of(endpoints: Sequence[ServiceEndpoints], services: Sequence[Service]) -> ServiceBackends:
        """The ready addresses of each selector-less Service (model/endpoints.py reads the
        EndpointSlices and Endpoints; FQDN slices name no address)."""
        found: dict[tuple[str, str], list[str]] = {}
        for ep in endpoints:
            if not ep.fqdn:
                found.setdefault((ep.namespace, ep.service), []).extend(a.address for a in ep.addresses if a.ready)
        return ServiceBackends(tuple(services), {k: tuple(dict.fromkeys(v)) for k, v in found.items()})

    def peers(self, item: object, where: str) -> tuple[Match, ...]:
        """The peers one toServices element names."""
        chosen = self._chosen(item)
        if chosen is None:
            return (Match(unresolved=(f"toServices {where} (not read)",)),)
        wanted, services = chosen
        if not services:
            return (Match(unresolved=(f"toServices {wanted} (no such Service in the input; its endpoints "
                                      "are known at run time)",)),)  # fmt: skip
        out: list[Match] = []
        for svc in services:
            if svc.selector is not None:
                out.append(Match(unresolved=(f"toServices {svc.ref}, a Service with a selector (Cilium applies "
                                             "toServices only to Services without one)",)))  # fmt: skip
                continue
            blocks = tuple(b for b in (_block(ip) for ip in self.addresses.get((svc.namespace, svc.name), ())) if b)
            if not blocks:
                out.append(Match(unresolved=(f"toServices {svc.ref} (its Endpoints are not in the input)",)))
            else:
                out.append(Match(networks=blocks, external_only=True))
        return tuple(out)

    def _chosen(self, item: object) -> tuple[str, list[Service]] | None:
        if not isinstance(item, LMap):
            return None
        by_name = item.get("k8sService")
        if isinstance(by_name, LMap):
            name, ns = str(by_name.get("serviceName") or ""), str(by_name.get("namespace") or "")
            found = [s for s in self.services if s.name == name and ns in ("", s.namespace)]
            return f"{ns or '*'}/{name}", found
        by_labels = item.get("k8sServiceSelector")
        if isinstance(by_labels, LMap):
            sel = by_labels.get("selector")
            labels = sel.get("matchLabels") if isinstance(sel, LMap) else None
            if isinstance(sel, LMap) and sel.get("matchExpressions"):
                return None  # expressions: read as not resolved rather than half-read
            wanted = LabelSelector(tuple(sorted((str(k), str(v)) for k, v in (labels or {}).items())))
            ns = str(by_labels.get("namespace") or "")
            found = [s for s in self.services if ns in ("", s.namespace) and matches(wanted, s.labels)]
            return f"{ns or '*'}:{wanted}", found
        return None


def _block(ip: str) -> IPBlock | None:
    text = ip if "/" in ip else f"{ip}/{128 if ':' in ip else 32}"
    net = parse_cidr(text)
    return IPBlock(text, network=net) if net is not None else None
