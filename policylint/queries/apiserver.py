"""The kube-apiserver as a client: which pod ports it must reach (webhooks, aggregated APIs), and
whether a backend's ingress admits it.

Which source address the API server's calls have depends on the cluster (its node's address, a
managed control plane's range, a tunnel or konnectivity agent, SNAT by the plugin), so it is an
assumption: `ranges` empty means unknown (any address; only a rule admitting every source admits
it), otherwise the configured control-plane CIDRs, all of which the backend must admit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.engine.ports import rule_ports
from policylint.model import IPBlock, Protocol, Service, ServicePort
from policylint.model.caller import ApiServerCall
from policylint.model.cluster import Cluster
from policylint.model.policy import IPNetwork, NetworkPolicy, Rule
from policylint.queries.services import backends, target_port

# Webhook and APIService Services are called over HTTPS: TCP (ServiceReference, no protocol field).
PROTOCOL = Protocol.TCP


@dataclass(frozen=True, slots=True)
class CallTarget:
    """One call resolved to its Service, Service port and backends (workload index, pod port)."""

    call: ApiServerCall
    service: Service | None
    service_port: ServicePort | None
    backends: tuple[tuple[int, int], ...]  # backends whose target port resolves
    unresolved: tuple[int, ...] = ()  # backends that do not define the named target port


def targets(ev: Evaluator, cluster: Cluster) -> list[CallTarget]:
    services = {(s.namespace, s.name): s for s in cluster.services}
    out: list[CallTarget] = []
    for call in cluster.callers:
        svc = services.get((call.namespace, call.service))
        sp = next((p for p in svc.ports if p.port == call.port and p.protocol is PROTOCOL), None) if svc else None
        found: list[tuple[int, int]] = []
        missing: list[int] = []
        if svc is not None and sp is not None:
            for b in bit_indices(backends(ev, svc)):
                port = target_port(ev.workloads[b], sp.target_port, sp.port, PROTOCOL)
                if port is None:
                    missing.append(b)
                else:
                    found.append((b, port))
        out.append(CallTarget(call, svc, sp, tuple(found), tuple(missing)))
    return out


REQUIRED_KEY = "queries.apiserver.required_ingress"  # the rules share one required_ingress per run


def required_ingress(ev: Evaluator, cluster: Cluster) -> dict[int, ConnSet]:
    """Workload index -> the ports the API server calls on it (an open rule there is needed)."""
    need: dict[int, ConnSet] = {}
    for t in targets(ev, cluster):
        for b, port in t.backends:
            need[b] = need.get(b, NONE) | ConnSet.single(PROTOCOL, port)
    return need


def parse_ranges(texts: Sequence[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(t, strict=False) for t in texts)


EVERY_FAMILY = parse_ranges(["0.0.0.0/0", "::/0"])


def admits_apiserver(ev: Evaluator, backend: int, port: int, ranges: Sequence[IPNetwork]) -> bool:
    """Does `backend`'s ingress admit the API server on `port`? With `ranges`, every address in them
    must be admitted; unknown (no ranges), every address of one IP family (as NP301 counts "every
    source": a single-stack cluster has one family). `ev` must have been built with `ranges` as extra
    networks, so no atom straddles their edges."""
    groups = [tuple(ranges)] if ranges else [(net,) for net in EVERY_FAMILY]
    return any(_admits_all(ev, backend, port, group) for group in groups)


def _admits_all(ev: Evaluator, backend: int, port: int, nets: Sequence[IPNetwork]) -> bool:
    atoms = 0
    for net in nets:
        atoms |= ev.space.block_atoms(IPBlock(str(net), network=net))
    return all(ev.allowed_conns(ev.space.address(a), backend).contains(PROTOCOL, port) for a in bit_indices(atoms))


def only_apiserver_ports(ev: Evaluator, policy: NetworkPolicy, rule: Rule, required: dict[int, ConnSet]) -> bool:
    """Does `rule` open, on every pod `policy` selects, only ports the API server calls there?
    Such a rule open to every source is required by a webhook or APIService, not too broad."""
    selected = ev.index.pods_in(policy.namespace, policy.pod_selector)
    ports = rule_ports(rule.ports)
    return bool(selected) and all(ports.for_destination(ev.workloads[w]).issubset(required.get(w, NONE))
                                  for w in bit_indices(selected))  # fmt: skip


def called_on(ev: Evaluator, policy: NetworkPolicy, required: dict[int, ConnSet]) -> ConnSet:
    """The ports the API server calls on the pods `policy` selects (NONE: it calls none of them)."""
    out = NONE
    for w in bit_indices(ev.index.pods_in(policy.namespace, policy.pod_selector)):
        out = out | required.get(w, NONE)
    return out
