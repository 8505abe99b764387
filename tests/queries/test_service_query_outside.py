"""`query --from any --to svc/...` beyond the input, and the Service settings that pick which
backend a client reaches (not modelled: said in the answer).

Sources:
- A repository seldom holds the whole cluster; pods in namespaces it does not hold are still
  matched by `namespaceSelector` (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name).
- internalTrafficPolicy: Local sends a client only to backends on its own node
  (https://kubernetes.io/docs/concepts/services-networking/service-traffic-policy/);
  sessionAffinity: ClientIP keeps a client on one backend
  (https://kubernetes.io/docs/reference/networking/virtual-ips/#session-affinity).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from policylint import api

CLUSTER = """\
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
EXTRA
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: RULES
"""

# Only the ingress controller's namespace, which the input does not hold, is admitted.
FROM_NGINX = "[{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]"


def write(tmp_path: Path, rules: str, extra: str = "") -> str:
    (tmp_path / "m.yaml").write_text(CLUSTER.replace("RULES", rules).replace("EXTRA", extra))
    return str(tmp_path)


def test_from_any_asks_z3_about_pods_outside_the_input(tmp_path: Path) -> None:
    a = api.query_service(write(tmp_path, FROM_NGINX), "any", "svc/shop/api")
    # No workload of the input is admitted, but a pod in ingress-nginx (not in the input) is.
    assert a.verdict == "BLOCKED"
    assert a.outside is not None and a.outside.reachable is True and a.outside.backends == ["shop/api[Pod]"]
    assert a.outside.example is not None and "namespace ingress-nginx (not in the input)" in a.outside.example
    assert any(n.startswith("beyond the input's workloads, pods that could exist reach 1 backend(s)") for n in a.notes)


def test_from_any_says_when_z3_proves_no_pod_outside_gets_in(tmp_path: Path) -> None:
    a = api.query_service(write(tmp_path, "[]"), "any", "svc/shop/api")  # default deny ingress
    assert a.outside is not None and a.outside.reachable is False
    assert any("no pod outside the input could reach a backend" in n for n in a.notes)


def test_a_selector_source_keeps_the_input_only_note_and_json_says_not_asked(tmp_path: Path) -> None:
    path = write(tmp_path, FROM_NGINX)
    a = api.query_service(path, "shop:", "svc/shop/api")
    assert a.outside is None and any("for the workloads of the input only" in n for n in a.notes)
    done = subprocess.run([sys.executable, "-m", "policylint", "query", path, "--from", "any", "--to", "svc/shop/api",
                           "-f", "json"], capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    doc = json.loads(done.stdout)
    assert doc["verdict"] == "BLOCKED" and doc["outside_input"]["reachable"] is True
    assert doc["outside_input"]["backends"] == ["shop/api[Pod]"]


def test_internal_traffic_policy_local_and_session_affinity_are_said_not_modelled(tmp_path: Path) -> None:
    extra = "  internalTrafficPolicy: Local\n  sessionAffinity: ClientIP"
    a = api.query_service(write(tmp_path, FROM_NGINX, extra), "shop/api", "svc/shop/api")
    assert any("internalTrafficPolicy: Local" in n and "not modelled" in n for n in a.notes)
    assert any("sessionAffinity: ClientIP" in n and "not modelled" in n for n in a.notes)
    plain = api.query_service(write(tmp_path, FROM_NGINX), "shop/api", "svc/shop/api")
    assert not any("not modelled" in n for n in plain.notes)
