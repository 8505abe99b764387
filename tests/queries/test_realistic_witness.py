"""Set-query witnesses read like real traffic (issue 16, point 5): a port a rule names (else one a
workload declares, else TCP), pods of the input's namespaces first, and never a flow between two
addresses outside the cluster (no NetworkPolicy or admin policy ever sees such a flow: policies
select pods, https://kubernetes.io/docs/concepts/services-networking/network-policies/)."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli
from policylint.engine.smt import AnyEndpoint, SmtEngine, Witness
from policylint.load import load_text

PODS = """apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
"""
API_ON_8443 = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{ports: [{port: 8443}, {port: 5353, protocol: UDP}]}]
"""
EXTERNAL = re.compile(r"^[0-9a-f.:]+ could reach [0-9a-f.:]+ on ")


def witnesses(tmp_path: Path, text: str, *args: str) -> list[str]:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    out = CliRunner().invoke(cli, ["query", str(path), *args, "--format", "json"]).stdout
    return [w for w in json.loads(out)["witnesses"] if not w.startswith("proven")]


def test_any_to_any_is_never_outside_to_outside_and_is_on_a_declared_port(tmp_path: Path) -> None:
    [w] = witnesses(tmp_path, PODS, "--from", "any", "--to", "any")
    assert not EXTERNAL.match(w)
    # No rule names a port: the declared containerPort, between pods of the input's namespace.
    assert w.endswith("on TCP 8080") and w.count("in namespace shop") == 2, w


def test_the_witness_port_is_one_the_rule_names(tmp_path: Path) -> None:
    [w] = witnesses(tmp_path, PODS + API_ON_8443, "--from", "any", "--to", "shop:app=api")
    assert w.endswith(("on TCP 8443", "on UDP 5353")), w


def test_the_engine_finds_no_flow_between_two_outside_addresses() -> None:
    # Both ends may be anything and nothing is isolated: still a pod is one end.
    engine = SmtEngine(load_text(PODS).cluster)
    w = engine.witness(AnyEndpoint(), AnyEndpoint())
    assert isinstance(w, Witness)
    assert not all(isinstance(e, ipaddress.IPv4Address | ipaddress.IPv6Address) for e in (w.src, w.dst))


def test_a_witness_to_the_internet_starts_at_a_pod_of_the_input(tmp_path: Path) -> None:
    [w] = witnesses(tmp_path, PODS, "--from", "any", "--to", "0.0.0.0/0")
    assert w.startswith("a pod ") and "in namespace shop" in w.split(" could reach ")[0], w


def test_an_input_without_namespaces_or_ports_gets_a_web_port_and_no_crash(tmp_path: Path) -> None:
    # Nothing names a port and no namespace is known: TCP 80 or 443 rather than any number.
    [w] = witnesses(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "--from", "any", "--to", "any")
    assert w.endswith(("on TCP 80", "on TCP 443")), w
