"""`.policylint.yaml` `exposure:` keys: the ingress controller and the node address ranges, with
the meaning of `--ingress-controller` and `--node-cidr`, read by `exposure` and by NP521-NP524.

Sources: source IP behind `externalTrafficPolicy: Cluster` (the node address is what the pod sees):
https://kubernetes.io/docs/tutorials/services/source-ip/#source-ip-for-services-with-type-nodeport;
the controller proxies to the backends: https://kubernetes.io/docs/concepts/services-networking/ingress-controllers/
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policylint import api

from .test_exposure import CLIENT_BLOCK, INGRESS, WEB, svc

# Admits only the controller namespace `edge` (pods app=proxy): the backend of the Ingress.
FROM_EDGE = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-edge, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: edge}}
          podSelector: {matchLabels: {app: proxy}}
"""
NODES = CLIENT_BLOCK.replace("203.0.113.0/24", "10.0.0.0/16")


def setup(tmp_path: Path, manifests: str, config: str) -> api.Config:
    (tmp_path / "m.yaml").write_text(manifests)
    (tmp_path / ".policylint.yaml").write_text(config)
    return api.load_config(tmp_path / ".policylint.yaml")


@pytest.mark.parametrize("controller", ["edge:app=proxy", "{namespace: edge, selector: {app: proxy}}"])
def test_config_controller_is_the_one_the_backends_must_admit(tmp_path: Path, controller: str) -> None:
    config = setup(tmp_path, WEB + svc("") + INGRESS + FROM_EDGE, f"exposure:\n  ingress_controller: {controller}\n")
    report = api.exposure([str(tmp_path / "m.yaml")], config)
    assert [(e.entry.kind, str(e.conns)) for e in report.exposures] == [("Ingress", "TCP 8080")]
    assert any("namespace edge, pods {app=proxy} (as configured)" in a for a in report.assumptions)
    # NP521 (backend the controller cannot reach) reads the same setting: silent here, firing without it.
    config_rules = config.only(["NP521"])
    assert [f.rule for f in api.lint([str(tmp_path / "m.yaml")], config_rules).findings] == []
    default = api.load_config(None).only(["NP521"])
    assert [f.rule for f in api.lint([str(tmp_path / "m.yaml")], default).findings] == ["NP521"]


def test_config_node_ranges_decide_behind_cluster_traffic_policy(tmp_path: Path) -> None:
    manifests = WEB + svc("  type: LoadBalancer") + NODES
    config = setup(tmp_path, manifests, "exposure:\n  node_cidrs: [10.0.0.0/16]\n")
    assert [str(e.conns) for e in api.exposure([str(tmp_path / "m.yaml")], config).exposures] == ["TCP 8080"]
    # Without node ranges only a rule admitting every IPv4 address would admit the node: blocked.
    assert [(str(e.conns), str(e.blocked)) for e in api.exposure([str(tmp_path / "m.yaml")]).exposures] == [
        ("No Connections", "TCP 8080")
    ]
    # NP523: an ipBlock on the configured node range admits the SNATed traffic, so it is no slip.
    assert [f.rule for f in api.lint([str(tmp_path / "m.yaml")], config.only(["NP523"])).findings] == []
    default = api.load_config(None).only(["NP523"])
    assert [f.rule for f in api.lint([str(tmp_path / "m.yaml")], default).findings] == ["NP523"]


def test_the_command_line_overrides_the_config(tmp_path: Path) -> None:
    setup(tmp_path, WEB + svc("  type: LoadBalancer") + NODES, "exposure:\n  node_cidrs: [10.0.0.0/16]\n")

    def conns(*args: str) -> list[object]:
        done = subprocess.run([sys.executable, "-m", "policylint", "exposure", "m.yaml", "-f", "json", *args],
                              capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
        return [e["conns"] for e in json.loads(done.stdout)["exposures"]]

    assert conns() == [{"TCP": [[8080, 8080]]}]
    assert conns("--node-cidr", "192.168.0.0/16") == []


@pytest.mark.parametrize(("body", "message"), [
    ("exposure:\n  node_cidrs: [10.0.0.0/16, nope]\n", ".policylint.yaml:2: exposure.node_cidrs.1: 'nope' is not"),
    ("exposure:\n  ingress_controller: 'Edge Ns'\n", "exposure.ingress_controller"),
    ("exposure:\n  ingress_controller: {selector: {app: x}}\n", "exposure.ingress_controller"),
    ("exposure:\n  node_cidr: [10.0.0.0/16]\n", "node_cidr"),
])  # fmt: skip
def test_bad_exposure_settings_are_located_config_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(api.ConfigError, match=message.replace(".", r"\.")):
        setup(tmp_path, WEB, body)
