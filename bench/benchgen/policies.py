"""NetworkPolicies in the shapes real repositories hold, chosen per namespace within a budget."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from typing import Any

from benchgen.plan import Namespace

Doc = dict[str, Any]
NAME_LABEL = "kubernetes.io/metadata.name"
PRIVATE_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
INTERNET_V4 = {"ipBlock": {"cidr": "0.0.0.0/0", "except": PRIVATE_V4}}
INTERNET_V6 = {"ipBlock": {"cidr": "::/0", "except": ["fc00::/7", "fe80::/10"]}}
LOAD_BALANCERS = [
    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12", "10.244.0.0/16"]}},
    {"ipBlock": {"cidr": "203.0.113.0/24"}},
]


def expr(key: str, operator: str, *values: str) -> Doc:
    e: Doc = {"key": key, "operator": operator}
    if values:
        e["values"] = list(values)
    return e


def policy(ns: str, name: str, selector: Doc, types: list[str], ingress: Any = None, egress: Any = None) -> Doc:
    spec: Doc = {"podSelector": selector, "policyTypes": types}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def app_sel(app: str) -> Doc:
    return {"matchLabels": {"app": app}}


def default_deny(ns: Namespace) -> Doc:
    if ns.deny_egress:
        return policy(ns.name, "default-deny", {}, ["Ingress", "Egress"])
    return policy(ns.name, "default-deny-ingress", {}, ["Ingress"])


def allow_dns(ns: str) -> Doc:
    peer = {
        "namespaceSelector": {"matchLabels": {NAME_LABEL: "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
    }
    ports = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    return policy(ns, "allow-dns", {}, ["Egress"], egress=[{"to": [peer], "ports": ports}])


def web(ns: Namespace) -> Doc:
    ingress = [{"from": LOAD_BALANCERS, "ports": [{"port": "http"}]}]
    egress = [{"to": [{"podSelector": app_sel("gateway")}], "ports": [{"protocol": "TCP", "port": 8080}]}]
    return policy(ns.name, "web", app_sel("web"), ["Ingress", "Egress"], ingress, egress)


def gateway(ns: Namespace) -> Doc:
    ingress = [{"from": [{"podSelector": app_sel("web")}], "ports": [{"port": "http"}]}]
    callee = {"matchExpressions": [expr("tier", "In", "api"), expr("legacy", "DoesNotExist")]}
    egress = [{"to": [{"podSelector": callee}], "ports": [{"port": "http"}, {"port": "grpc"}]}]
    return policy(ns.name, "gateway", app_sel("gateway"), ["Ingress", "Egress"], ingress, egress)


def metrics_scrape(ns: Namespace) -> Doc:
    peer = {
        "namespaceSelector": {"matchLabels": {"team": "platform"}},
        "podSelector": {"matchLabels": {"app": "prometheus"}},
    }
    ports = [{"protocol": "TCP", "port": 9100, "endPort": 9110}]
    selector = {"matchExpressions": [expr("app", "Exists")]}
    return policy(ns.name, "allow-prometheus-scrape", selector, ["Ingress"], [{"from": [peer], "ports": ports}])


def cross_ns_ingress(dst: Namespace, src: Namespace) -> Doc:
    """namespaceSelector and podSelector in one peer: gateways of the source team's namespaces."""
    env = expr("env", "In", src.env) if src.env == "prod" else expr("env", "NotIn", "prod")
    peer = {
        "namespaceSelector": {"matchLabels": {"team": src.team}, "matchExpressions": [env]},
        "podSelector": app_sel("gateway"),
    }
    rule = {"from": [peer], "ports": [{"port": "grpc"}]}
    return policy(dst.name, f"gateway-from-{src.name}", app_sel("gateway"), ["Ingress"], [rule])


def cross_ns_egress(src: Namespace, dst: Namespace) -> Doc:
    peer = {"namespaceSelector": {"matchLabels": {NAME_LABEL: dst.name}}, "podSelector": app_sel("gateway")}
    rule = {"to": [peer], "ports": [{"protocol": "TCP", "port": 9090}]}
    return policy(src.name, f"gateway-to-{dst.name}", app_sel("gateway"), ["Egress"], egress=[rule])


def domain_api(ns: Namespace, domain: str) -> Doc:
    callers = {"matchExpressions": [expr("tier", "In", "web", "api"), expr("legacy", "DoesNotExist")]}
    stores = {"matchLabels": {"domain": domain}, "matchExpressions": [expr("tier", "In", "db", "cache", "queue")]}
    store_ports = [{"port": 5432}, {"port": 3306}, {"port": 6379}, {"port": 9092, "endPort": 9094}]
    ingress = [{"from": [{"podSelector": callers}], "ports": [{"port": "http"}, {"port": "grpc"}]}]
    egress = [{"to": [{"podSelector": stores}], "ports": store_ports}]
    return policy(ns.name, f"{domain}-api", app_sel(f"{domain}-api"), ["Ingress", "Egress"], ingress, egress)


def domain_data(ns: Namespace, domain: str) -> Doc:
    data = [expr("tier", "In", "db", "cache", "queue")]
    clients = {"matchLabels": {"domain": domain}, "matchExpressions": [expr("tier", "NotIn", "db", "cache", "queue")]}
    ports = [{"port": name} for name in ("postgres", "mysql", "redis", "kafka")]
    selector = {"matchLabels": {"domain": domain}, "matchExpressions": data}
    rule = {"from": [{"podSelector": clients}], "ports": ports}
    return policy(ns.name, f"{domain}-data", selector, ["Ingress"], [rule])


def domain_worker(ns: Namespace, domain: str) -> Doc:
    egress = [
        {"to": [{"podSelector": {"matchLabels": {"domain": domain}}}]},
        {"to": [INTERNET_V4, INTERNET_V6], "ports": [{"protocol": "TCP", "port": 443}]},
    ]
    return policy(ns.name, f"{domain}-worker", app_sel(f"{domain}-worker"), ["Egress"], egress=egress)


def domain_external(ns: Namespace, domain: str) -> Doc:
    partner = {"ipBlock": {"cidr": "198.51.100.0/24", "except": ["198.51.100.128/25"]}}
    ports = [{"protocol": "TCP", "port": 8443}, {"protocol": "TCP", "port": 30000, "endPort": 32767}]
    egress = [{"to": [INTERNET_V4], "ports": [{"port": 443}]}, {"to": [partner], "ports": ports}]
    return policy(ns.name, f"{domain}-api-external", app_sel(f"{domain}-api"), ["Egress"], egress=egress)


def same_namespace(ns: Namespace, app: str) -> Doc:
    rule: Doc = {"from": [{"podSelector": {}}]}
    return policy(ns.name, f"{app}-allow-same-namespace", app_sel(app), ["Ingress"], [rule])


Candidate = Callable[[], Doc]


def _domain_candidates(rng: random.Random, ns: Namespace) -> list[Candidate]:
    out: list[Candidate] = []
    tiers: dict[str, set[str]] = {}
    for app in ns.apps:
        tiers.setdefault(app.domain, set()).add(app.tier)
    for d in ns.domains:
        has = tiers[d]
        if "api" in has:
            out.append(partial(domain_api, ns, d))
        if has & {"db", "cache", "queue"}:
            out.append(partial(domain_data, ns, d))
        if "worker" in has:
            out.append(partial(domain_worker, ns, d))
        if "api" in has and rng.random() < 0.3:
            out.append(partial(domain_external, ns, d))
    rng.shuffle(out)
    return out


def namespace_policies(rng: random.Random, ns: Namespace, cross: list[Candidate]) -> list[Doc]:
    """Exactly `ns.policy_budget` policies (fewer only if the namespace is tiny), most important first."""
    head: list[Candidate] = [] if ns.open else [partial(default_deny, ns)]
    if ns.deny_egress and not ns.open:
        head.append(partial(allow_dns, ns.name))
    head += [partial(web, ns), partial(gateway, ns), *cross]
    if rng.random() < 0.8 and not ns.open:  # an open namespace needs no scrape allow (nothing isolates it)
        head.append(partial(metrics_scrape, ns))
    tail: list[Candidate] = [partial(same_namespace, ns, a.name) for a in ns.apps]
    chosen = (head + _domain_candidates(rng, ns) + tail)[: ns.policy_budget]
    return [make() for make in chosen]


def monitoring_policies(ns: str) -> list[Doc]:
    scrape_targets = {"namespaceSelector": {}, "podSelector": {"matchExpressions": [expr("app", "Exists")]}}
    prometheus = policy(
        ns, "prometheus", app_sel("prometheus"), ["Ingress", "Egress"],
        ingress=[{"from": [{"podSelector": app_sel("grafana")}], "ports": [{"port": "web"}]}],
        egress=[
            {"to": [scrape_targets], "ports": [{"port": 9100, "endPort": 9110}, {"port": 9153}]},
            {"to": [{"namespaceSelector": {"matchLabels": {NAME_LABEL: "kube-system"}}}],
             "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
        ],
    )  # fmt: skip
    grafana = policy(
        ns, "grafana", app_sel("grafana"), ["Ingress"],
        ingress=[{"from": LOAD_BALANCERS[:1], "ports": [{"port": 3000}]}],
    )  # fmt: skip
    return [policy(ns, "default-deny-ingress", {}, ["Ingress"]), prometheus, grafana]


def cluster_policies(rng: random.Random, namespaces: list[Namespace]) -> dict[str, list[Doc]]:
    """Policies per namespace name. Cross-namespace allows come in pairs (ingress at dst, egress at src)."""
    user = [ns for ns in namespaces if ns.team != "platform"]
    cross: dict[str, list[Candidate]] = {ns.name: [] for ns in user}
    for dst in user:
        if rng.random() < 0.5:
            src = rng.choice([ns for ns in user if ns is not dst])
            cross[dst.name].append(partial(cross_ns_ingress, dst, src))
            cross[src.name].append(partial(cross_ns_egress, src, dst))
    out: dict[str, list[Doc]] = {"kube-system": [], "monitoring": monitoring_policies("monitoring")}
    for ns in user:
        out[ns.name] = namespace_policies(rng, ns, cross[ns.name])
    return out
