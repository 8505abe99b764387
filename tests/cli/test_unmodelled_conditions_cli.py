"""matrix and exposure say which rules they evaluate assuming conditions outside the model.

A Cilium rule with `toPorts[].rules.http` admits only the listed HTTP requests; the proxy enforces
them (https://docs.cilium.io/en/stable/security/policy/language/#layer-7-examples). The analysis
admits the port; `query` says so in its explanation, and matrix/exposure, which print no
explanation, must say it on stderr (seen on cilium/star-wars-demo: "TCP 80" with no word on L7).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: a, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: w}]}
"""
CNP = """\
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-get, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
      rules:
        http: [{method: GET, path: /v1/}]
"""


def run(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "m.yaml").write_text(text)
    return subprocess.run([sys.executable, "-m", "policylint", *args, "--cni", "cilium", str(tmp_path / "m.yaml")],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip


@pytest.mark.parametrize("command", [("matrix", "-g", "none"), ("exposure",)])
def test_l7_rules_are_named_on_stderr_with_their_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    done = run(tmp_path, PODS + CNP, *command)
    assert done.returncode == 0, done.stderr
    rule_line = (PODS + CNP).splitlines().index("  - fromEndpoints: [{matchLabels: {app: web}}]") + 1
    notes = [line for line in done.stderr.splitlines() if ": note: " in line]
    assert len(notes) == 1, done.stderr
    assert notes[0].startswith(f"{tmp_path / 'm.yaml'}:{rule_line}:")
    assert "CiliumNetworkPolicy shop/api-get ingress rule 1" in notes[0]
    assert "L7 http rules on TCP 80" in notes[0] and "does not model" in notes[0]


def test_matrix_still_lists_the_port_and_no_note_without_l7(tmp_path: Path) -> None:
    done = run(tmp_path, PODS + CNP, "matrix", "-g", "none")
    assert "shop/web[Pod] -> shop/api[Pod] : TCP 80" in done.stdout
    plain = run(tmp_path, PODS + CNP.replace("      rules:\n        http: [{method: GET, path: /v1/}]\n", ""),
                "matrix", "-g", "none")  # fmt: skip
    assert ": note: " not in plain.stderr and "shop/web[Pod] -> shop/api[Pod] : TCP 80" in plain.stdout
