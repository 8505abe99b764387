"""`diff` reports the ways in from outside that a change opens or closes, first, and
`--fail-on new-exposure` includes them (issue: the path from outside)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: w, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"""
DENY_ALL = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def diff(tmp_path: Path, base: str, head: str, *args: str) -> subprocess.CompletedProcess[str]:
    for name, text in (("base", base), ("head", head)):
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / "m.yaml").write_text(text)
    return subprocess.run([sys.executable, "-m", "policylint", "diff", str(tmp_path / "base"), str(tmp_path / "head"),
                           *args], capture_output=True, text=True, cwd=tmp_path)  # fmt: skip


def test_a_new_loadbalancer_is_a_new_way_in_and_fails_the_new_exposure_gate(tmp_path: Path) -> None:
    head = WEB.replace("  selector: {app: web}\n  ports", "  type: LoadBalancer\n  selector: {app: web}\n  ports")
    done = diff(tmp_path, WEB, head, "--fail-on", "new-exposure")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "New ways in from outside:\n  shop/web[Deployment] via LoadBalancer Service shop/web from" in done.stdout
    doc = json.loads(diff(tmp_path, WEB, head, "--format", "json").stdout)
    assert doc["summary"]["entries_opened"] == 1
    assert doc["entries_opened"][0]["conns"] == {"TCP": [[8080, 8080]]}
    md = diff(tmp_path, WEB, head, "--format", "md").stdout
    # Markdown-escaped brackets render as written (reporters/escape.py)
    assert "> [!CAUTION]\n> 1 new way in from outside the cluster\n> - shop/web\\[Deployment\\] via" in md
    closed = diff(tmp_path, head, WEB)
    assert "Closed ways in from outside:" in closed.stdout and closed.returncode == 0


def test_an_unchanged_entry_is_not_reported(tmp_path: Path) -> None:
    head = WEB.replace("  selector: {app: web}\n  ports", "  type: LoadBalancer\n  selector: {app: web}\n  ports")
    done = diff(tmp_path, head, head, "--fail-on", "new-exposure")
    assert done.returncode == 0 and "No connectivity change." in done.stdout


def test_entries_are_compared_as_the_plugin_enforces_them(tmp_path: Path) -> None:
    # A deny-all added under Flannel (no NetworkPolicy enforcement:
    # https://github.com/flannel-io/flannel/issues/558) closes no way in; under a generic plugin it does.
    lb = WEB.replace("  selector: {app: web}\n  ports", "  type: LoadBalancer\n  selector: {app: web}\n  ports")
    deny = lb + DENY_ALL
    assert "Closed ways in from outside:" in diff(tmp_path, lb, deny).stdout
    assert "Closed ways in from outside:" not in diff(tmp_path, lb, deny, "--cni", "flannel").stdout
