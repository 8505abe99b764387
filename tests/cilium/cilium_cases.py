"""Small clusters for the Cilium cases: pods by `ns/name` with labels, plus policy YAML."""

from __future__ import annotations

import ipaddress

from policylint.engine.flow import Flow
from policylint.load import LoadResult, load_text
from policylint.model.policy import Protocol

NAMESPACES = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: other}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
"""
POD = """\
---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {labels}}}
spec: {{containers: [{{name: c, image: i, ports: [{{name: http, containerPort: 8080}}]}}]}}
"""
PODS = {
    "shop/api": "{app: api}",
    "shop/web": "{app: web}",
    "other/web": "{app: web}",
    "kube-system/dns": "{k8s-app: kube-dns}",
}
OUTSIDE = ipaddress.ip_address("203.0.113.9")


def _prefix() -> str:
    pods = "".join(POD.format(ns=k.split("/")[0], name=k.split("/")[1], labels=v) for k, v in PODS.items())
    return NAMESPACES + pods + "---\n"


def cluster(policies: str) -> LoadResult:
    return load_text(_prefix() + policies, "policies.yaml")


def line_of(policies: str, needle: str) -> int:
    """The file line of the first line of `policies` containing `needle`."""
    lines = policies.splitlines()
    return _prefix().count("\n") + 1 + next(i for i, line in enumerate(lines) if needle in line)


def flow(res: LoadResult, src: str | ipaddress.IPv4Address, dst: str | ipaddress.IPv4Address, port: int,
         protocol: Protocol = Protocol.TCP) -> Flow:
    return Flow(_endpoint(res, src), _endpoint(res, dst), protocol, port)


def _endpoint(res: LoadResult, ref: str | ipaddress.IPv4Address) -> int | ipaddress.IPv4Address:
    if not isinstance(ref, str):
        return ref
    ns, name = ref.split("/")
    return next(i for i, w in enumerate(res.cluster.workloads) if (w.namespace, w.name) == (ns, name))
