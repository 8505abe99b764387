"""Endpoint expressions of `policylint query`, parsed and resolved against a cluster.

Syntax (documented in the README):
  ns/name, ns/Kind/name, ns/name[Kind]   one workload; Kind may be kubectl's short form (deploy, sts,
                                         ds, po, ...); `Kind/name` is in the default namespace;
                                         `ns/pod-name` is the workload owning that Pod
  a pod's status.podIP                   that pod's workload
  NS:PODS                                workloads by selector; NS is a namespace name, `*` for every
                                         namespace, or `[selector]` over namespace labels; PODS is a
                                         kubectl-style selector (`app=web,tier in (api,web),!debug`),
                                         empty or `*` for every pod
  203.0.113.7, 10.0.0.0/8, ::/0          external addresses
  any                                    every pod and every external address
"""

from __future__ import annotations

import ipaddress
import re
import weakref
from dataclasses import dataclass

from policylint.engine.concrete import Evaluator
from policylint.findings import close_match
from policylint.model.selector import LabelSelector, Operator, Requirement


class EndpointError(ValueError):
    """An endpoint expression that cannot be parsed or matches no known workload."""


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    text: str
    workloads: int  # bitset of matching known workloads
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None  # external part, if any
    any_external: bool = False
    namespace: str | None = None  # selector form: one namespace by name
    namespace_selector: LabelSelector | None = None  # selector form: namespaces by labels (None = all)
    pod_selector: LabelSelector | None = None  # selector form (None: not a selector expression)
    single: bool = False  # a single named workload

    @property
    def symbolic(self) -> bool:
        return self.pod_selector is not None or (self.any_external and self.workloads != 0)


_REQ = re.compile(
    r"^\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9./_-]+)\s*"
    r"(?:(?P<op>==|!=|=)\s*(?P<val>[A-Za-z0-9._-]*)|\s+(?P<setop>in|notin)\s*\((?P<vals>[^)]*)\))?\s*$"
)


def _split_terms(text: str) -> list[str]:
    terms, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    return [t for t in terms if t.strip()]


def parse_selector(text: str) -> LabelSelector:
    """A kubectl-style label selector; `` or `*` selects everything."""
    text = text.strip()
    if text in ("", "*"):
        return LabelSelector()
    labels: list[tuple[str, str]] = []
    reqs: list[Requirement] = []
    for term in _split_terms(text):
        m = _REQ.match(term)
        if not m or (m.group("neg") and (m.group("op") or m.group("setop"))):
            raise EndpointError(f"cannot read label selector term {term.strip()!r}")
        key = m.group("key")
        if m.group("neg"):
            reqs.append(Requirement(key, Operator.DOES_NOT_EXIST))
        elif m.group("op") in ("=", "=="):
            labels.append((key, m.group("val")))
        elif m.group("op") == "!=":
            reqs.append(Requirement(key, Operator.NOT_IN, (m.group("val"),)))
        elif m.group("setop"):
            values = tuple(v.strip() for v in m.group("vals").split(",") if v.strip())
            op = Operator.IN if m.group("setop") == "in" else Operator.NOT_IN
            reqs.append(Requirement(key, op, values))
        else:
            reqs.append(Requirement(key, Operator.EXISTS))
    return LabelSelector(tuple(sorted(labels)), tuple(reqs))


_WORKLOAD = re.compile(
    r"^(?:(?P<ns>[^/:\[\]\s]+)/)?(?:(?P<kind>[A-Za-z]+)/)?(?P<name>[^/:\[\]\s]+)(?:\[(?P<k2>[A-Za-z]+)\])?$"
)

# kubectl's short names and plurals (`kubectl api-resources`), to the kind policylint reports.
KIND_ALIASES = {
    alias: kind
    for kind, aliases in {
        "Deployment": ("deploy", "deployment", "deployments"),
        "StatefulSet": ("sts", "statefulset", "statefulsets"),
        "DaemonSet": ("ds", "daemonset", "daemonsets"),
        "ReplicaSet": ("rs", "replicaset", "replicasets"),
        "ReplicationController": ("rc", "replicationcontroller", "replicationcontrollers"),
        "Job": ("job", "jobs"),
        "CronJob": ("cj", "cronjob", "cronjobs"),
        "Pod": ("po", "pod", "pods"),
    }.items()
    for alias in aliases
}


def _kind(text: str | None) -> str | None:
    return None if text is None else KIND_ALIASES.get(text.lower(), text)


def _parts(ev: Evaluator, text: str, namespace: str) -> tuple[str, str | None, str] | None:
    """(namespace, kind or None, name) of a workload form, or None when it is not one. Two parts
    are `ns/name`, unless the first is a kind alias and no namespace has that name (`deploy/api`)."""
    m = _WORKLOAD.match(text)
    if not m or (m.group("ns") is None and m.group("kind") is None):
        return None
    ns, kind, name = m.group("ns"), m.group("kind") or m.group("k2"), m.group("name")
    if kind is None and ns is not None and ns.lower() in KIND_ALIASES and ns not in ev.index.namespace_pos:
        ns, kind = None, ns
    return ns or namespace, _kind(kind), name


@dataclass(frozen=True, slots=True)
class WorkloadNames:
    """Workload indices by namespace and by pod IP, built once per evaluator: a question about one
    workload then looks at its namespace, not at every workload (serve, query --batch)."""

    by_namespace: dict[str, list[int]]
    by_pod_ip: dict[str, list[int]]


_NAMES: weakref.WeakKeyDictionary[Evaluator, WorkloadNames] = weakref.WeakKeyDictionary()


def workload_names(ev: Evaluator) -> WorkloadNames:
    names = _NAMES.get(ev)
    if names is None:
        by_ns: dict[str, list[int]] = {}
        by_ip: dict[str, list[int]] = {}
        for i, w in enumerate(ev.workloads):
            by_ns.setdefault(w.namespace, []).append(i)
            for ip in w.pod_ips:
                by_ip.setdefault(ip, []).append(i)
        names = _NAMES[ev] = WorkloadNames(by_ns, by_ip)
    return names


def _workload(ev: Evaluator, text: str, namespace: str) -> EndpointSpec | None:
    parts = _parts(ev, text, namespace)
    if parts is None:
        return None
    ns, kind, name = parts
    in_ns = [(i, ev.workloads[i]) for i in workload_names(ev).by_namespace.get(ns, ())]
    hits = [i for i, w in in_ns if w.name == name and (kind is None or w.kind.lower() == kind.lower())]
    if not hits and kind in (None, "Pod"):  # a Pod of a controller, by its own name
        hits = [i for i, w in in_ns if name in w.pods]
    if not hits:
        known = [f"{w.namespace}/{w.name}" for w in ev.workloads]
        raise EndpointError(f"no workload {text!r} in the input" + closest(f"{ns}/{name}", known))
    if len(hits) > 1:
        kinds = ", ".join(f"{ns}/{ev.workloads[i].kind}/{name}" for i in hits)
        raise EndpointError(f"{text!r} is ambiguous: write one of {kinds}")
    return EndpointSpec(text, 1 << hits[0], single=True)


def closest(word: str, known: list[str]) -> str:
    """`; did you mean 'x'?` for the nearest known name, or nothing."""
    near = close_match(word, set(known))
    return f"; did you mean {near!r}?" if near else ""


def _address(ev: Evaluator, text: str) -> EndpointSpec | None:
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if net.num_addresses == 1:  # a pod's own address (status.podIP) is that pod, not the outside
        owners = sorted(set(workload_names(ev).by_pod_ip.get(str(net.network_address), ())))
        if len(owners) == 1:
            return EndpointSpec(text, 1 << owners[0], single=True)
    return EndpointSpec(text, 0, network=net)


# A namespace name is an RFC 1123 label (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names).
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _check_namespace(text: str, ns_part: str, pod_part: str) -> None:
    """`shop/api:80` is not `NS:PODS` in a namespace `shop/api`: say what to write instead."""
    if _NAMESPACE.match(ns_part):
        return
    hint = ""
    if "/" in ns_part and pod_part.strip().isdigit():
        hint = f"; a port is not part of an endpoint: write {ns_part} and --port {pod_part.strip()}"
    raise EndpointError(f"cannot read endpoint {text!r}: {ns_part!r} is not a namespace name{hint}")


def _selector_form(ev: Evaluator, text: str) -> EndpointSpec:
    ns_part, sep, pod_part = text.partition(":")
    if not sep:
        raise EndpointError(
            f"cannot read endpoint {text!r}: use ns/name, ns:selector, *:selector, an IP or CIDR, or any"
        )
    pods = parse_selector(pod_part)
    ns_part = ns_part.strip()
    if ns_part in ("", "*"):
        members, ns_name, ns_sel = ev.index.pods_in_namespaces(LabelSelector(), pods), None, None
    elif ns_part.startswith("[") and ns_part.endswith("]"):
        ns_sel, ns_name = parse_selector(ns_part[1:-1]), None
        members = ev.index.pods_in_namespaces(ns_sel, pods)
    else:
        _check_namespace(text, ns_part, pod_part)
        ns_name, ns_sel = ns_part, None
        members = ev.index.pods.select(pods) & ev.index.in_namespace(ns_part)
    return EndpointSpec(text, members, namespace=ns_name, namespace_selector=ns_sel, pod_selector=pods)


def resolve(ev: Evaluator, text: str, namespace: str = "default") -> EndpointSpec:
    """`namespace` is the one of forms without one (`deploy/api`, as kubectl's -n)."""
    text = text.strip()
    if text.lower() in ("any", "*"):
        return EndpointSpec(text, ev.universe, any_external=True, pod_selector=LabelSelector())
    return _address(ev, text) or _workload(ev, text, namespace) or _selector_form(ev, text)
