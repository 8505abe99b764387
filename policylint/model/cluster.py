"""The immutable bundle of everything read from the input."""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.findings import Span
from policylint.model.caller import ApiServerCall
from policylint.model.endpoints import ServiceEndpoints
from policylint.model.entry import NO_ENTRIES, EntryPoints
from policylint.model.policy import NetworkPolicy
from policylint.model.rule_form import Tier
from policylint.model.workload import Namespace, Service, Workload


@dataclass(frozen=True, slots=True)
class Cluster:
    namespaces: tuple[Namespace, ...] = ()
    workloads: tuple[Workload, ...] = ()
    services: tuple[Service, ...] = ()
    policies: tuple[NetworkPolicy, ...] = ()
    # Every namespace, by name; includes the ones only referred to (labels: the name label only).
    namespace_index: dict[str, Namespace] = field(default_factory=dict, compare=False)
    # Tiers of the other policy dialects (model/rule_form.py), by rank; NetworkPolicy v1 sits
    # between them at NETWORK_POLICY_RANK. Empty for a NetworkPolicy-only cluster.
    tiers: tuple[Tier, ...] = ()
    # Ingress, Gateway API and Route objects: ways in from outside through a proxy.
    entries: EntryPoints = NO_ENTRIES
    # Webhooks and aggregated APIs: Services the kube-apiserver calls from outside the pod network.
    callers: tuple[ApiServerCall, ...] = ()
    # EndpointSlices and Endpoints: the backends of Services without a selector.
    endpoints: tuple[ServiceEndpoints, ...] = ()
    # Namespaced objects written without metadata.namespace, placed in the default namespace.
    assumed_namespace: tuple[Span, ...] = field(default=(), compare=False)
    # Policies of the dialects (apiVersion, kind, span) as written, whatever the plugin enforces.
    dialect_policies: tuple[tuple[str, str, Span], ...] = field(default=(), compare=False)

    @staticmethod
    def of(
        namespaces: tuple[Namespace, ...] | list[Namespace],
        workloads: tuple[Workload, ...] | list[Workload],
        services: tuple[Service, ...] | list[Service] = (),
        policies: tuple[NetworkPolicy, ...] | list[NetworkPolicy] = (),
        tiers: tuple[Tier, ...] = (),
        entries: EntryPoints = NO_ENTRIES,
        callers: tuple[ApiServerCall, ...] = (),
        endpoints: tuple[ServiceEndpoints, ...] = (),
    ) -> Cluster:
        """Build a cluster, adding implied namespaces and the automatic name label to every namespace."""
        from policylint.model.workload import NAMESPACE_NAME_LABEL

        index: dict[str, Namespace] = {}
        for ns in namespaces:
            labels = dict(ns.labels)
            labels[NAMESPACE_NAME_LABEL] = ns.name
            if ns.name not in index:
                index[ns.name] = Namespace(ns.name, labels, ns.span, ns.annotations)
        referred = [w.namespace for w in workloads] + [p.namespace for p in policies]
        referred += [s.namespace for s in services] + [e.namespace for e in entries.entries]
        for name in referred:
            if name not in index:
                index[name] = Namespace(name, {NAMESPACE_NAME_LABEL: name}, None)
        all_ns = tuple(sorted(index.values(), key=lambda n: n.name))
        return Cluster(all_ns, tuple(workloads), tuple(services), tuple(policies), index, tiers, entries, callers,
                       tuple(endpoints))
