"""What lies outside the input: claims of "nothing reaches it" and "nothing matches" checked over
every pod that could exist, not only the input's workloads (issue 12, point 7).

A repository rarely holds the whole cluster: the ingress controller, the monitoring stack, the
namespaces an operator creates run elsewhere. A claim that holds for the input's workloads only
is then false in the cluster. The SMT engine answers for every pod that could exist (any
namespace, known or not, any labels, any named ports): it either proves the claim (no such pod)
or gives one pod that breaks it, which these helpers describe precisely for messages.

The severity policy the rules share: a claim proved over every pod is a warning; a claim that
holds only for the input is a warning only where the input itself shows a mistake (a near miss
of a label it holds, a namespace whose labels it shows), otherwise an info that says which pods,
outside the input, the selector or rule would need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.smt import AnyEndpoint, Pods, SmtEngine, SyntheticPod, Undecided, Witness
from policylint.model import Direction, LabelSelector, NetworkPolicy, Operator, Peer, Protocol, Requirement
from policylint.model.build_controller_labels import CONTROLLER_KEYS, CONTROLLER_SET
from policylint.model.workload import NAMESPACE_NAME_LABEL
from policylint.queries.smt_coverage import smt_engine
from policylint.queries.suggest import LabelView
from policylint.rulespec import RuleContext

SHARED_KEY = "queries.coverage.smt"  # one engine (and one solver budget) for every rule of a run

# Namespaces that exist in most clusters or that well-known add-ons install into: a selector
# naming one by `kubernetes.io/metadata.name` refers to it on purpose, whatever the input holds.
WELL_KNOWN_NAMESPACES = frozenset({
    "default", "kube-system", "kube-public", "kube-node-lease",
    "ingress-nginx", "nginx-ingress", "traefik", "kong", "contour", "projectcontour", "envoy-gateway-system",
    "istio-system", "istio-ingress", "linkerd", "linkerd-viz", "cilium", "calico-system", "tigera-operator",
    "monitoring", "prometheus", "grafana", "loki", "observability", "openshift-monitoring",
    "openshift-ingress", "openshift-dns", "cert-manager", "external-dns", "argocd", "flux-system",
    "gatekeeper-system", "kyverno", "metallb-system", "velero", "keda", "knative-serving", "vault",
})  # fmt: skip


# A near miss this many edits away is a typo (evidence of a mistake in the input); farther, it is a
# related name (`prometheus` beside `prometheus-adapter`) and suggesting it would do harm.
TYPO_EDITS = 2


@dataclass(frozen=True)
class Outside:
    """The answer about a claim over every pod that could exist."""

    proved: bool  # no pod or address that could exist breaks the claim
    witness: Witness | SyntheticPod | None = None  # one that does, when found
    undecided: str = ""  # why neither could be shown (no SMT encoding for the assumptions, z3 gave up)


def engine(ctx: RuleContext) -> SmtEngine | None:
    ev: Evaluator = ctx.evaluator
    return ctx.shared(SHARED_KEY, lambda: smt_engine(ev, ctx.smt_timeout_ms, ctx.smt_budget_seconds))


def answer(found: Witness | SyntheticPod | Undecided | None) -> Outside:
    if isinstance(found, Undecided):
        return Outside(False, undecided=found.reason)
    return Outside(found is None, found)


NO_ENGINE = Outside(False, undecided="the SMT encoding does not cover the configured assumptions")


def reachable(smt: SmtEngine | None, ev: Evaluator, backend: int, protocol: Protocol, port: int) -> Outside:
    """Can any pod that could exist, or any external address, open (protocol, port) to `backend`?

    An ingress-isolated backend under NetworkPolicy alone admits only what its rules' peers match,
    so the question is asked per selector peer, confined to the peer's namespace where it has one
    (the solver then encodes that namespace's policies only, not the whole cluster's)."""
    if smt is None:
        return NO_ENGINE
    conns = ConnSet.single(protocol, port)
    if ev.layered or not ev.is_isolated(backend, Direction.INGRESS):
        return answer(smt.find(AnyEndpoint(), backend, conns))
    dst = ev.workloads[backend]
    specs: list[Pods] = []
    for compiled in ev.rules_for(backend, Direction.INGRESS):
        if not compiled.ports.for_destination(dst).contains(protocol, port):
            continue
        if not compiled.rule.peers:
            return answer(smt.find(AnyEndpoint(), backend, conns))
        for peer in compiled.rule.peers:
            if peer.ip_block is not None:
                continue  # external addresses: the concrete evaluator already answered for every one
            ns = compiled.policy.namespace if peer.namespace_selector is None else None
            pods = Pods(namespace=ns, namespace_selector=peer.namespace_selector, pod_selector=peer.pod_selector)
            if pods not in specs:
                specs.append(pods)
    last = Outside(True)
    for pods in specs:
        last = answer(smt.find(pods, backend, conns))
        if not last.proved:
            return last
    return last


def reachable_from_elsewhere(
    smt: SmtEngine | None, backend: int, namespace: str, protocol: Protocol, port: int
) -> Outside:
    """Can a pod that could exist in any namespace but `namespace` open (protocol, port) to `backend`?"""
    if smt is None:
        return NO_ENGINE
    others = LabelSelector(match_expressions=(Requirement(NAMESPACE_NAME_LABEL, Operator.NOT_IN, (namespace,)),))
    return answer(smt.find(Pods(namespace_selector=others), backend, ConnSet.single(protocol, port)))


def reaches(smt: SmtEngine | None, source: int, target: Pods, protocol: Protocol, port: int) -> Outside:
    """Can `source` open (protocol, port) to some pod that could exist matching `target`?"""
    if smt is None:
        return NO_ENGINE
    return answer(smt.find(source, target, ConnSet.single(protocol, port)))


def matchable(smt: SmtEngine | None, spec: Pods) -> Outside:
    """Can any pod that could exist match `spec` on labels? (proved: none can)"""
    if smt is None:
        return NO_ENGINE
    return answer(smt.pod(spec))


def labels_text(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def describe_pod(pod: SyntheticPod, view: LabelView | None = None) -> str:
    """'a pod labelled app=x in namespace ingress-nginx (not in the input)'."""
    labels = f" labelled {labels_text(pod.labels)}" if pod.labels else ""
    where = f"namespace {pod.namespace}"
    absent = pod.new_namespace or (view is not None and pod.namespace not in view.index.namespace_pos)
    extra = {k: v for k, v in pod.namespace_labels.items() if k != NAMESPACE_NAME_LABEL}
    if absent:
        where += " (not in the input" + (f", labelled {labels_text(extra)})" if extra else ")")
    return f"a pod{labels} in {where}"


def describe_witness_source(w: Witness, view: LabelView | None = None) -> str:
    src = w.src
    if isinstance(src, SyntheticPod):
        return describe_pod(src, view)
    if isinstance(src, int):
        return "a workload of the input"
    return f"address {src}"


def sole_name(selector: LabelSelector) -> str | None:
    """The namespace name a selector is exactly `kubernetes.io/metadata.name: X` for, else None."""
    if selector.match_expressions or len(selector.match_labels) != 1:
        return None
    key, value = selector.match_labels[0]
    return value if key == NAMESPACE_NAME_LABEL else None


def describe_peer(view: LabelView, policy: NetworkPolicy, peer: Peer) -> str:
    """'pods labelled {app=x} in namespaces labelled {team=y}, which no namespace of the input carries'."""
    pods = peer.pod_selector
    who = "pods" if pods is None or pods.is_empty else f"pods labelled {pods}"
    ns = peer.namespace_selector
    if ns is None:
        return f"{who} in namespace {policy.namespace}"
    if ns.is_empty:
        return f"{who} in any namespace"
    name = sole_name(ns)
    present = view.index.namespaces.select(ns)
    if name is not None:
        return f"{who} in namespaces labelled {NAMESPACE_NAME_LABEL}={name}" + (
            "" if present else ", which is not in the input"
        )
    return f"{who} in namespaces labelled {ns}" + ("" if present else ", which no namespace of the input carries")


def outside_peers(view: LabelView, ev: Evaluator, backend: int, protocol: Protocol, port: int) -> list[str]:
    """The selector peers of the ingress rules admitting (protocol, port) at `backend` that match
    no workload of the input: the sources the rules were written for, all outside the input."""
    out: list[str] = []
    dst = ev.workloads[backend]
    for compiled in ev.rules_for(backend, Direction.INGRESS):
        if not compiled.ports.for_destination(dst).contains(protocol, port):
            continue
        for peer in compiled.rule.peers or ():
            match = view.peer_match(compiled.policy, peer)
            if match is not None and not match.pods:
                text = describe_peer(view, compiled.policy, peer)
                if text not in out:
                    out.append(text)
    return out


def only_outside(peers: list[str], witness: Witness | SyntheticPod | None, view: LabelView) -> str:
    """'only from sources outside the input: pods in ...' for a message."""
    if peers:
        return "; ".join(peers[:3]) + (f" and {len(peers) - 3} more" if len(peers) > 3 else "")
    if isinstance(witness, Witness):
        return f"e.g. {describe_witness_source(witness, view)}"
    return "pods that could exist outside the input"


def controller_keys(selector: LabelSelector) -> list[str]:
    """Keys of `selector` naming a value that a controller writes at run time (hashes, uids,
    generations, replica names): the input cannot show which pods carry it."""
    keys = [k for k, v in selector.match_labels if k in CONTROLLER_KEYS and v != CONTROLLER_SET]
    keys += [r.key for r in selector.match_expressions if r.key in CONTROLLER_KEYS and r.values]
    return list(dict.fromkeys(keys))


def well_known(names: Iterable[str]) -> bool:
    return any(n in WELL_KNOWN_NAMESPACES for n in names)
