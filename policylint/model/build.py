"""Located documents -> model objects, plus the input problems met on the way (pure; no I/O).

Nothing here resolves selectors; it only reads what is written. Wrong types never raise:
they become NP002 problems and the smallest enclosing object that can be dropped without
widening access is skipped (an unreadable peer or port drops its rule, which then allows
nothing; an unreadable podSelector drops the policy). Invalid *values* (port 0, a CIDR
that does not parse, bad label keys) are kept for the validity rules (NP1xx).

This module assembles the Cluster; each kind is read by a build_* module beside it
(build_meta, build_workload, build_service, build_policy, build_ports, build_selector).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from policylint.findings import OWNER_LABELS_DIFFER, InputProblem, Span
from policylint.load.documents import WORKLOAD_KINDS
from policylint.load.fields import Reader, Skip
from policylint.load.kinds import is_dialect_kind
from policylint.load.located_yaml import LMap
from policylint.model.build_calico import NETWORK_POLICY_ORDER
from policylint.model.build_calico_scope import SERVICE_ACCOUNT_KEY
from policylint.model.build_callers import build_callers
from policylint.model.build_controller_labels import CONTROLLER_SET, PER_REPLICA, POD_NAME, replica
from policylint.model.build_endpoints import ENDPOINT_READERS
from policylint.model.build_entries import build_entries
from policylint.model.build_meta import metadata
from policylint.model.build_operators import operator_workloads
from policylint.model.build_policy import network_policy
from policylint.model.build_service import namespace, service
from policylint.model.build_workload import ordinals, workload
from policylint.model.cluster import Cluster
from policylint.model.compile_network_policy import network_policy_tier_policies
from policylint.model.dialect_options import DialectOptions as DialectOptions  # re-exported for load_paths
from policylint.model.dialects import build_tiers
from policylint.model.endpoints import ServiceEndpoints
from policylint.model.policy import NetworkPolicy
from policylint.model.rule_form import Tier
from policylint.model.selector import LabelSelector, matches
from policylint.model.workload import Namespace, Service, Workload

Key = tuple[str, str, str]  # namespace, kind, name


@dataclass(slots=True)
class _Member:
    is_pod: bool
    key: Key  # the object's own key
    workload: Workload


def build_cluster(objects: Sequence[LMap], default_namespace: str = "default",
                  options: DialectOptions | None = None) -> tuple[Cluster, list[InputProblem]]:  # fmt: skip
    """Model objects from documents of the kinds read (others must be filtered out before)."""
    r = Reader()
    namespaces: list[Namespace] = []
    services: list[Service] = []
    policies: list[NetworkPolicy] = []
    members: list[_Member] = []
    parents: dict[Key, Key] = {}
    dialect_objects: list[LMap] = []
    replicas: dict[Key, range] = {}
    slices: list[ServiceEndpoints] = []
    for doc in objects:
        kind = doc.get("kind")
        if is_dialect_kind(doc.get("apiVersion"), str(kind)):
            dialect_objects.append(doc)
            continue
        try:
            meta = metadata(r, doc, str(kind), default_namespace)
            if kind == "Namespace":
                namespaces.append(namespace(r, doc, meta))
            elif kind == "Service":
                services.append(service(r, doc, meta))
            elif kind in ENDPOINT_READERS:
                slices.extend(ENDPOINT_READERS[str(kind)](r, doc, meta))
            elif kind == "NetworkPolicy":
                found = network_policy(r, doc, meta.namespace, meta.name, meta.annotations)
                policies.extend([found] if found else [])
            elif kind in WORKLOAD_KINDS:
                w = workload(r, doc, str(kind), meta)
                own: Key = (meta.namespace, str(kind), meta.name)
                if kind == "StatefulSet":
                    replicas[own] = ordinals(r, doc)
                if meta.owner is not None:
                    parents[own] = (meta.namespace, *meta.owner)
                members.append(_Member(kind == "Pod", own, w))
        except Skip:
            continue
    if dialect_objects:
        add_derived(r, members, replicas, dialect_objects, default_namespace)
    tiers = (build_tiers(r, dialect_objects, default_namespace, namespaces, options, services, slices)
             if dialect_objects else ())  # fmt: skip
    workloads = _owned_workloads(r, members, parents, replicas, (policies, services, tiers))
    entries = build_entries(r, dialect_objects, default_namespace)
    callers = build_callers(r, dialect_objects)
    tiers = tuple(with_network_policies(t, policies) if t.holds_network_policy else t for t in tiers)
    cluster = Cluster.of(
        sorted(namespaces, key=lambda n: (n.name, n.span or Span("", 0, 0))),
        sorted(workloads, key=lambda w: (w.namespace, w.name, w.kind, w.span)),
        sorted(services, key=lambda s: (s.namespace, s.name, s.span)),
        sorted(policies, key=lambda p: (p.namespace, p.name, p.span)),
        tiers,
        entries,
        callers,
        tuple(sorted(slices, key=lambda e: (e.namespace, e.service, e.kind, e.name, e.span))),
    )
    return _noted(cluster, r, dialect_objects), r.problems


def _noted(cluster: Cluster, r: Reader, dialect_objects: list[LMap]) -> Cluster:
    """The cluster with what its answers assume silently: namespaces filled in, dialect policies."""
    written = tuple((str(d.get("apiVersion")), str(d.get("kind")), d.span) for d in dialect_objects
                    if str(d.get("kind")).endswith("Policy"))  # fmt: skip
    if not (r.assumed_namespace or written):
        return cluster
    return replace(cluster, assumed_namespace=tuple(sorted(r.assumed_namespace)), dialect_policies=written)


def _owned_workloads(r: Reader, members: list[_Member], parents: dict[Key, Key], replicas: dict[Key, range],
                     selecting: tuple[list[NetworkPolicy], list[Service], tuple[Tier, ...]]) -> list[Workload]:
    """Pods of one owner split where a NetworkPolicy or Service selector answers differently for
    them; pods no selector tells apart stay one workload. Dialect selectors (Calico, Cilium, admin)
    do not split them: in NCA's Calico corpus every owner whose pods only a Calico selector tells
    apart differs only in traffic between its own pods, which NCA reports as one workload
    (docs/calico.md, "Pods of one owner"). Replicas split where a selector names one."""
    policies, services, tiers = selecting
    tests = pod_selectors(policies, services, ())
    dialect_tests = pod_selectors([], [], tiers)
    workloads = merge_owned(r, members, parents, tests, dialect_tests)
    tested = {k for sel in (*tests, *dialect_tests) for k in selector_label_keys(sel)}
    if replicas and PER_REPLICA_KEYS & tested:
        workloads = per_replica(workloads, replicas)
    if SERVICE_ACCOUNT_KEY in tested:  # Calico's label for the pod's service account, only when a rule asks
        workloads = [replace(w, labels={**w.labels, SERVICE_ACCOUNT_KEY: w.service_account}) for w in workloads]
    return workloads


def add_derived(r: Reader, members: list[_Member], replicas: dict[Key, range], objects: list[LMap],
                default_namespace: str) -> None:  # fmt: skip
    """The workloads operators create from custom resources of the input (model/operators.yaml);
    a controller the input holds itself (a dumped StatefulSet of the same name) stands instead."""
    written = {m.key for m in members if not m.is_pod}
    for d in operator_workloads(r, objects, default_namespace):
        w = d.workload
        key: Key = (w.namespace, w.kind, w.name)
        if key not in written:
            members.append(_Member(False, key, w))
            if w.kind == "StatefulSet":
                replicas[key] = d.replicas


def with_network_policies(tier: Tier, policies: list[NetworkPolicy]) -> Tier:
    """A tier that holds NetworkPolicy v1 (Calico's default tier) gets them at their order (1000)."""
    compiled = network_policy_tier_policies(policies, tier.name, NETWORK_POLICY_ORDER)
    return replace(tier, policies=tuple(sorted(tier.policies + compiled, key=lambda p: p.order)))


def merge_owned(r: Reader, members: list[_Member], parents: dict[Key, Key],
                tests: Sequence[LabelSelector] | None = None,
                unsplit: Sequence[LabelSelector] = ()) -> list[Workload]:  # fmt: skip
    """One workload per controller: a Pod joins its direct owner, and any object joins an owner
    that is itself in the input (so `kubectl get all` gives one workload, not three)."""
    present = {m.key for m in members if not m.is_pod}
    groups: dict[Key, list[_Member]] = {}
    for m in members:
        key = parents.get(m.key, m.key) if m.is_pod else m.key
        seen = {key}
        while key in parents and parents[key] in present and parents[key] not in seen:
            key = parents[key]
            seen.add(key)
        groups.setdefault(key, []).append(m)
    return [w for key, group in sorted(groups.items()) for w in _merged(r, key, group, tests, unsplit)]


def _merged(r: Reader, key: Key, group: list[_Member], tests: Sequence[LabelSelector] | None = None,
            unsplit: Sequence[LabelSelector] = ()) -> list[Workload]:  # fmt: skip
    """One workload per distinct label set of the owner's pods: a policy selects pods, so a pod
    relabelled by hand (`quarantine: "true"`) is evaluated with its own labels. The largest set
    (the first on a tie) keeps the owner's name; each other is named after its first pod.

    Pods split only where some selector of the input (`tests`; None: any label difference) answers
    differently for them: pods differing in labels no selector tells apart (`app: a` and `app: b`
    when every selector asks for `app: c`) stay one workload, as other analyzers report them.
    Pods that only an `unsplit` selector tells apart stay one workload too, and that is reported."""
    group.sort(key=lambda m: (m.key != key, m.is_pod, m.workload.name, m.workload.span))
    first = group[0].workload
    pods = [m.workload for m in group if m.is_pod]
    if len(group) == 1 and group[0].key == key:
        return [first]
    sets: dict[tuple[object, ...], list[Workload]] = {}
    for p in pods:
        # Labels the controller sets per pod (a hash, a generation, a replica's name) differ between
        # pods that behave alike; only labels people set (a `quarantine` label) split a workload.
        kept = {k: v for k, v in p.labels.items() if k not in CONTROLLER_KEYS}
        signature = tuple(sorted(kept.items())) if tests is None else tuple(matches(t, kept) for t in tests)
        sets.setdefault(signature, []).append(p)
    if not sets:
        return [Workload(key[0], key[2], key[1], first.labels, first.ports, first.host_network, first.span,
                         first.annotations, service_account=first.service_account)]  # fmt: skip
    ordered = sorted(sets.values(), key=lambda ps: -len(ps))
    main, others = ordered[0], ordered[1:]
    for same in ordered:
        _report_unsplit(r, key, same, unsplit)
    out = [Workload(key[0], key[2], key[1], main[0].labels, first.ports, first.host_network, first.span,
                    first.annotations, tuple(p.name for p in main),
                    service_account=main[0].service_account)]  # fmt: skip
    for same in others:
        p = same[0]
        out.append(Workload(key[0], p.name, key[1], p.labels, p.ports or first.ports, p.host_network, p.span,
                            p.annotations, tuple(q.name for q in same), service_account=p.service_account))  # fmt: skip
        ref = f"{key[0]}/{key[2]}[{key[1]}]"
        message = (f"pods of {ref} have different labels ({main[0].name}: {_labels(main[0])}, {p.name}: "
                   f"{_labels(p)}); each label set is analysed on its own, this one as {key[0]}/{p.name}")  # fmt: skip
        r.problems.append(InputProblem(OWNER_LABELS_DIFFER, p.span, message))
    return out


def _report_unsplit(r: Reader, key: Key, pods: list[Workload], unsplit: Sequence[LabelSelector]) -> None:
    """Say so when a dialect selector tells apart pods kept as one workload (analysed with the first's labels)."""
    ref = f"{key[0]}/{key[2]}[{key[1]}]"
    a = pods[0]
    first = [matches(t, a.labels) for t in unsplit]
    b = next((p for p in pods[1:] if [matches(t, p.labels) for t in unsplit] != first), None)
    if b is not None:
        r.problems.append(InputProblem(OWNER_LABELS_DIFFER, b.span, (
            f"pods of {ref} have labels a Calico or Cilium selector tells apart ({a.name}: {_labels(a)}, {b.name}: "
            f"{_labels(b)}); they are analysed as one workload with the labels of {a.name}")))


PER_REPLICA_KEYS = frozenset(PER_REPLICA)
CONTROLLER_KEYS = PER_REPLICA_KEYS | {
    "pod-template-hash", "controller-revision-hash", "pod-template-generation", "controller-uid",
    "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/job-completion-index",
}


def pod_selectors(policies: list[NetworkPolicy], services: list[Service],
                  tiers: tuple[Tier, ...]) -> list[LabelSelector]:  # fmt: skip
    """Every pod selector of the input, once each: policies' subjects and peers, Services, and the
    subjects and peers of dialect tiers (Calico, Cilium, admin policies)."""
    found: dict[object, LabelSelector] = {}

    def add(sel: LabelSelector | None) -> None:
        if sel is not None and not sel.is_empty:
            found.setdefault(sel.key(), sel)

    for policy in policies:
        add(policy.pod_selector)
        for rule in (*(policy.ingress or ()), *(policy.egress or ())):
            for peer in rule.peers or ():
                add(peer.pod_selector)
    for svc in services:
        if svc.selector:
            add(LabelSelector(tuple(sorted(svc.selector.items()))))
    for tier in tiers:
        for pol in tier.policies:
            for scope in (*pol.subject, *(m.pods for rule in pol.rules for m in rule.peers),
                          *(m.not_pods for rule in pol.rules for m in rule.peers)):  # fmt: skip
                add(scope.pods if scope is not None else None)
    return list(found.values())


def selector_label_keys(sel: LabelSelector) -> set[str]:
    """The label keys a selector tests."""
    return {k for k, _ in sel.match_labels} | {req.key for req in sel.match_expressions}


def per_replica(workloads: list[Workload], replicas: dict[Key, range]) -> list[Workload]:
    """StatefulSets as one workload per replica, when a selector tells replicas apart by name or index."""
    out: list[Workload] = []
    for w in workloads:
        indexes = replicas.get((w.namespace, w.kind, w.name))
        if indexes is None or w.labels.get(POD_NAME) != CONTROLLER_SET:
            out.append(w)
            continue
        for i in indexes:
            pod, labels = replica(w.labels, w.name, i)
            out.append(replace(w, name=pod, labels=labels, pods=(pod,)))
    return out


def _labels(w: Workload) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(w.labels.items())) + "}"
