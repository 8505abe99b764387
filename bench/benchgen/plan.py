"""The shape of a generated cluster: namespaces, teams, apps and their ports (no YAML here)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

WORKLOADS_PER_NAMESPACE = 25
POLICIES_PER_WORKLOAD = 0.4

TEAMS = (
    "payments", "identity", "storefront", "logistics", "search", "growth", "data", "risk",
    "billing", "media", "messaging", "catalog", "support", "ads", "mobile", "partners",
)  # fmt: skip
PRODUCTS = (
    "shop", "checkout", "accounts", "warehouse", "tracking", "ledger", "insights", "fraud",
    "invoices", "video", "chat", "listings", "helpdesk", "campaigns", "app", "marketplace",
    "loyalty", "booking", "pricing", "reviews", "maps", "wallet", "auction", "news",
)  # fmt: skip
DOMAINS = (
    "orders", "payments", "cart", "catalog", "search", "users", "auth", "billing", "inventory",
    "shipping", "notifications", "reviews", "recommendations", "pricing", "media", "analytics",
    "reports", "ledger", "fraud", "sessions", "coupons", "tax", "returns", "profiles",
)  # fmt: skip
ENVS = ("prod", "staging", "dev")
ENV_WEIGHTS = (0.45, 0.3, 0.25)


@dataclass(frozen=True)
class Port:
    name: str
    number: int
    protocol: str = "TCP"


@dataclass
class App:
    """One workload (Deployment, StatefulSet or DaemonSet) and the Service in front of it."""

    namespace: str
    name: str
    kind: str
    tier: str
    team: str
    domain: str
    ports: tuple[Port, ...]
    image: str
    replicas: int = 2
    legacy: bool = False  # carries label legacy=true (selected out by DoesNotExist expressions)
    host_network: bool = False
    service: bool = True


@dataclass
class Namespace:
    name: str
    team: str
    env: str
    product: str
    apps: list[App] = field(default_factory=list)
    deny_egress: bool = True  # default-deny covers egress too (most namespaces)
    open: bool = False  # dense profile: no default-deny at all, unselected pods talk to everyone
    policy_budget: int = 0

    @property
    def domains(self) -> list[str]:
        seen: dict[str, None] = {}
        for app in self.apps:
            if app.tier in ("api", "worker", "db", "cache", "queue"):
                seen.setdefault(app.domain, None)
        return list(seen)


HTTP = Port("http", 8080)
METRICS = Port("metrics", 9102)
GRPC = Port("grpc", 9090)
DATA_PORTS = {
    "postgres": (Port("postgres", 5432),),
    "mysql": (Port("mysql", 3306),),
    "redis": (Port("redis", 6379),),
    "kafka": (Port("kafka", 9092), Port("kafka-ssl", 9093), Port("kafka-ctrl", 9094)),
}
IMAGES = {
    "postgres": "postgres:16.2",
    "mysql": "mysql:8.3",
    "redis": "redis:7.2-alpine",
    "kafka": "bitnami/kafka:3.7",
}


def _app(ns: Namespace, name: str, kind: str, tier: str, domain: str, ports: tuple[Port, ...]) -> App:
    image = f"registry.example.com/{ns.team}/{name}:1.{len(name) % 7}.{len(ns.name) % 13}"
    return App(ns.name, name, kind, tier, ns.team, domain, ports, image)


def _domain_apps(rng: random.Random, ns: Namespace, domain: str) -> list[App]:
    """The components of one microservice domain: an API and, often, its worker and data stores."""
    api_ports = (HTTP, METRICS, GRPC) if rng.random() < 0.3 else (HTTP, METRICS)
    apps = [_app(ns, f"{domain}-api", "Deployment", "api", domain, api_ports)]
    if rng.random() < 0.6:
        worker = _app(ns, f"{domain}-worker", "Deployment", "worker", domain, (METRICS,))
        worker.service = False
        apps.append(worker)
    if rng.random() < 0.5:
        engine = "postgres" if rng.random() < 0.75 else "mysql"
        apps.append(_data_app(ns, domain, "db", engine))
    if rng.random() < 0.35:
        apps.append(_data_app(ns, domain, "cache", "redis"))
    if rng.random() < 0.12:
        apps.append(_data_app(ns, domain, "queue", "kafka"))
    for app in apps:
        app.legacy = rng.random() < 0.05
        app.replicas = rng.choice((1, 2, 2, 3, 3, 5)) if app.kind == "Deployment" else 3
    return apps


def _data_app(ns: Namespace, domain: str, tier: str, engine: str) -> App:
    app = _app(ns, f"{domain}-{engine}", "StatefulSet", tier, domain, DATA_PORTS[engine])
    app.image = IMAGES[engine]
    return app


def _namespace_apps(rng: random.Random, ns: Namespace, size: int) -> list[App]:
    """Edge apps (web, gateway), domain services, sometimes a node agent; exactly `size` apps."""
    apps = [
        _app(ns, "web", "Deployment", "web", "frontend", (HTTP, METRICS)),
        _app(ns, "gateway", "Deployment", "api", "edge", (HTTP, GRPC, METRICS)),
    ]
    if rng.random() < 0.5:
        agent = _app(ns, "log-agent", "DaemonSet", "agent", "observability", (METRICS,))
        agent.service = False
        apps.append(agent)
    domains = list(DOMAINS)
    rng.shuffle(domains)
    rounds = 0
    while len(apps) < size:
        for domain in domains:
            name = domain if rounds == 0 else f"{domain}{rounds + 1}"
            apps.extend(_domain_apps(rng, ns, name))
            if len(apps) >= size:
                break
        rounds += 1
    return apps[:size]


def _sizes(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split `total` into `parts` sizes of roughly equal size (+-40%), summing exactly to `total`."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(5, int(w * scale)) for w in weights]
    i = 0
    while sum(sizes) != total:
        step = 1 if sum(sizes) < total else -1
        if sizes[i % parts] + step >= 5:
            sizes[i % parts] += step
        i += 1
    return sizes


def distribute(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of `total` proportionally to `weights`."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def platform_namespaces() -> list[Namespace]:
    """kube-system (kube-dns, kube-proxy) and monitoring (Prometheus and friends)."""
    system = Namespace("kube-system", "platform", "prod", "kubernetes")
    dns = App("kube-system", "coredns", "Deployment", "system", "platform", "dns",
              (Port("dns", 53, "UDP"), Port("dns-tcp", 53), Port("metrics", 9153)),
              "registry.k8s.io/coredns/coredns:v1.11.1")  # fmt: skip
    dns.service = True
    proxy = App("kube-system", "kube-proxy", "DaemonSet", "system", "platform", "network", (),
                "registry.k8s.io/kube-proxy:v1.29.2", host_network=True, service=False)  # fmt: skip
    system.apps = [dns, proxy]
    mon = Namespace("monitoring", "platform", "prod", "observability")
    mon.apps = [
        App("monitoring", "prometheus", "StatefulSet", "monitoring", "platform", "metrics",
            (Port("web", 9090),), "quay.io/prometheus/prometheus:v2.51.0"),
        App("monitoring", "node-exporter", "DaemonSet", "monitoring", "platform", "metrics",
            (Port("metrics", 9100),), "quay.io/prometheus/node-exporter:v1.7.0"),
        App("monitoring", "grafana", "Deployment", "web", "platform", "dashboards",
            (Port("http", 3000),), "grafana/grafana:10.4.1"),
    ]  # fmt: skip
    mon.policy_budget = 3
    return [system, mon]


PROFILES = ("sparse", "dense", "cilium")  # cilium: sparse, half the product namespaces as Cilium policies
OPEN_SHARE = 0.25  # dense profile: this share of the product namespaces has no default-deny


def plan_cluster(workloads: int, seed: int, profile: str = "sparse") -> list[Namespace]:
    """Namespaces with their apps, totalling `workloads` workloads, with per-namespace policy budgets.

    The dense profile is the sparse cluster with a quarter of the product namespaces left open (no
    default-deny), so allowed pairs grow with the square of the workloads. Its choice draws from its own
    random stream: every other decision is the same as in the sparse cluster of that seed.
    """
    rng = random.Random(seed)
    platform = platform_namespaces()
    fixed_apps = sum(len(ns.apps) for ns in platform)
    n_user = max(2, round(workloads / WORKLOADS_PER_NAMESPACE) - len(platform))
    n_teams = max(2, n_user // 6)
    teams = [TEAMS[i % len(TEAMS)] + ("" if i < len(TEAMS) else str(i // len(TEAMS) + 1))
             for i in range(n_teams)]  # fmt: skip
    user: list[Namespace] = []
    for i in range(n_user):
        product = PRODUCTS[i % len(PRODUCTS)] + ("" if i < len(PRODUCTS) else str(i // len(PRODUCTS) + 1))
        env = rng.choices(ENVS, ENV_WEIGHTS)[0]
        ns = Namespace(f"{product}-{env}", rng.choice(teams), env, product)
        ns.deny_egress = rng.random() < 0.85
        user.append(ns)
    for ns, size in zip(user, _sizes(rng, workloads - fixed_apps, n_user), strict=True):
        ns.apps = _namespace_apps(rng, ns, size)
    total_policies = round(workloads * POLICIES_PER_WORKLOAD)
    user_budget = total_policies - sum(ns.policy_budget for ns in platform)
    for ns, budget in zip(user, distribute(user_budget, [len(ns.apps) for ns in user]), strict=True):
        ns.policy_budget = budget
    if profile == "dense":
        chosen = random.Random(f"{seed}/dense").sample(range(n_user), round(n_user * OPEN_SHARE))
        for i in chosen:
            user[i].open = True
    return platform + user
