"""NP601 reachability-expectation end to end: `policylint lint --config` with an `expect` list."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli

MANIFESTS = """\
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: shop, labels: {app: backend}}
spec: {containers: [{name: app, image: backend, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: backend}}}]
    ports: [{port: 5432}]
"""


def lint(tmp_path: Path, expect: str, manifests: str = MANIFESTS) -> tuple[int, list[dict[str, object]]]:
    (tmp_path / "m.yaml").write_text(manifests)
    (tmp_path / "c.yaml").write_text("rules:\n  NP306: disable\n  NP307: disable\nexpect:\n" + expect)
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(cli, ["lint", "--config", "c.yaml", "--format", "json", "m.yaml"])
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "NP601"]
    return result.exit_code, findings


@pytest.mark.parametrize(
    "expect",
    [
        '- deny: {from: "*", to: shop/db, except: [shop/backend]}\n',
        "- allow: {from: shop/backend, to: shop/db, port: 5432}\n",
        "- allow: {from: shop/backend, to: shop/db, port: pg}\n",
        "- deny: {from: 0.0.0.0/0, to: shop/db}\n",
        "- deny: {from: '*:app=web', to: shop/db, port: 5432}\n",
        "- allow: {from: any, to: shop/web, port: 53/UDP}\n",
    ],
)
def test_expectations_that_hold_are_silent(tmp_path: Path, expect: str) -> None:
    code, findings = lint(tmp_path, expect)
    assert findings == [] and code == 0


def test_violated_deny_points_at_the_config_line_with_a_witness_and_the_permitting_rule(tmp_path: Path) -> None:
    code, findings = lint(
        tmp_path, '- allow: {from: shop/backend, to: shop/db, port: 5432}\n- deny: {from: "*", to: shop/db}\n'
    )
    assert code == 1 and len(findings) == 1
    f = findings[0]
    assert f["file"] == "c.yaml" and f["line"] == 6 and f["severity"] == "error"
    message = str(f["message"])
    assert "'deny from * to shop/db' is violated" in message
    assert "on TCP 5432 is allowed" in message and "shop/db ingress rule 1" in message


def test_violated_allow_names_the_blocking_side_and_the_closest_miss(tmp_path: Path) -> None:
    _code, findings = lint(tmp_path, "- allow: {from: shop/web, to: shop/db, port: 5432}\n")
    message = str(findings[0]["message"])
    assert "shop/web[Pod] -> shop/db[Pod] on TCP 5432 is blocked" in message
    assert "ingress of shop/db[Pod] is isolated by shop/db" in message and "closest miss: shop/db rule 1" in message


def test_allow_without_port_means_every_port(tmp_path: Path) -> None:
    _code, findings = lint(tmp_path, "- allow: {from: shop/backend, to: shop/db}\n")
    assert len(findings) == 1 and "is blocked" in str(findings[0]["message"])


def test_deny_holds_for_known_pods_but_not_for_every_possible_pod(tmp_path: Path) -> None:
    """No workload of the input labelled app=backend lives outside shop, but a future one could
    only reach the db from shop: the bare podSelector means the policy's namespace."""
    _code, findings = lint(tmp_path, "- deny: {from: 'other:app=backend', to: shop/db}\n")
    assert findings == []
    _code, findings = lint(tmp_path, "- deny: {from: 'shop:app=backend,tier=x', to: shop/db}\n")
    assert len(findings) == 1 and "a pod {app=backend" in str(findings[0]["message"])


def test_selector_endpoints_leave_host_network_pods_out(tmp_path: Path) -> None:
    _code, findings = lint(tmp_path, "- deny: {from: 0.0.0.0/0, to: 'shop:app=db'}\n")
    assert findings == []


def test_unknown_endpoint_or_port_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    _code, findings = lint(
        tmp_path, "- deny: {from: shop/nope, to: shop/db}\n- allow: {from: any, to: '*:', port: pg}\n"
    )
    messages = [str(f["message"]) for f in findings]
    assert len(messages) == 2 and all("cannot be checked" in m for m in messages)
