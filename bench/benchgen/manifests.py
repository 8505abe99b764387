"""Namespaces, workloads and Services as the dicts a GitOps repository would hold."""

from __future__ import annotations

import random
from typing import Any

from benchgen.plan import App, Namespace

Doc = dict[str, Any]


def namespace_doc(ns: Namespace) -> Doc:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": ns.name,
            "labels": {"team": ns.team, "env": ns.env, "product": ns.product},
            "annotations": {"owner": f"{ns.team}@example.com"},
        },
    }


def pod_labels(app: App) -> dict[str, str]:
    labels = {
        "app": app.name,
        "tier": app.tier,
        "team": app.team,
        "domain": app.domain,
        "app.kubernetes.io/name": app.name,
        "app.kubernetes.io/part-of": app.domain,
    }
    if app.name == "coredns":
        labels["k8s-app"] = "kube-dns"
    if app.legacy:
        labels["legacy"] = "true"
    return labels


def _container(app: App, rng: random.Random) -> Doc:
    container: Doc = {
        "name": app.name,
        "image": app.image,
        "imagePullPolicy": "IfNotPresent",
        "args": [f"--log-level={rng.choice(('info', 'warn', 'debug'))}", "--config=/etc/app/config.yaml"],
        "ports": [{"name": p.name, "containerPort": p.number, "protocol": p.protocol} for p in app.ports],
        "env": [
            {"name": "APP_NAME", "value": app.name},
            {"name": "APP_ENV", "value": app.namespace.rsplit("-", 1)[-1]},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "GOMAXPROCS", "value": str(rng.choice((1, 2, 4)))},
            {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.monitoring:4317"},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{app.name}-db", "key": "password"}}},
        ],
        "resources": {
            "requests": {
                "cpu": f"{rng.choice((50, 100, 250, 500))}m",
                "memory": f"{rng.choice((64, 128, 256, 512))}Mi",
            },
            "limits": {"memory": f"{rng.choice((256, 512, 1024))}Mi"},
        },
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}],
    }
    first = app.ports[0] if app.ports else None
    if first is not None and first.protocol == "TCP":
        container["readinessProbe"] = {
            "httpGet": {"path": "/healthz", "port": first.name},
            "periodSeconds": 10,
        }
        container["livenessProbe"] = {"tcpSocket": {"port": first.name}, "initialDelaySeconds": 15}
    return container


def workload_doc(app: App, rng: random.Random) -> Doc:
    labels = pod_labels(app)
    pod_spec: Doc = {
        "serviceAccountName": app.name,
        "terminationGracePeriodSeconds": 30,
        "containers": [_container(app, rng)],
        "volumes": [{"name": "config", "configMap": {"name": f"{app.name}-config"}}],
    }
    if app.host_network:
        pod_spec["hostNetwork"] = True
    if app.kind != "DaemonSet":
        pod_spec["affinity"] = _spread(app.name)
    spec: Doc = {
        "selector": {"matchLabels": {"app": app.name}},
        "template": {
            "metadata": {
                "labels": labels,
                "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9102"},
            },
            "spec": pod_spec,
        },
    }
    if app.kind == "Deployment":
        spec = {"replicas": app.replicas, "revisionHistoryLimit": 5, **spec}
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
    elif app.kind == "StatefulSet":
        spec = {"replicas": app.replicas, "serviceName": app.name, **spec}
        spec["volumeClaimTemplates"] = [_claim(rng)]
    else:
        spec["updateStrategy"] = {"type": "RollingUpdate"}
    metadata = {"name": app.name, "namespace": app.namespace, "labels": {k: labels[k] for k in ("app", "tier", "team")}}
    api_version = "apps/v1"
    return {"apiVersion": api_version, "kind": app.kind, "metadata": metadata, "spec": spec}


def _spread(name: str) -> Doc:
    term = {"labelSelector": {"matchLabels": {"app": name}}, "topologyKey": "kubernetes.io/hostname"}
    return {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": term}
    ]}}  # fmt: skip


def _claim(rng: random.Random) -> Doc:
    return {
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": f"{rng.choice((10, 20, 50, 100))}Gi"}},
        },
    }


def service_doc(app: App, rng: random.Random) -> Doc:
    """A ClusterIP Service; targetPort by name or by number, as both appear in practice."""
    ports = []
    for p in app.ports:
        by_name = rng.random() < 0.5
        front = 80 if p.name == "http" else p.number
        ports.append(
            {"name": p.name, "port": front, "targetPort": p.name if by_name else p.number, "protocol": p.protocol}
        )
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kube-dns" if app.name == "coredns" else app.name, "namespace": app.namespace},
        "spec": {"type": "ClusterIP", "selector": {"app": app.name}, "ports": ports},
    }
