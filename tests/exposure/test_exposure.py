"""`policylint exposure`: the ways in from outside, after policies, with the API's semantics.

Sources:
- Service types and fields: https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/
- source IP preservation: https://kubernetes.io/docs/tutorials/services/source-ip/
- Ingress backends name a Service port:
  https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
- Gateway API allowedRoutes and ReferenceGrant: https://gateway-api.sigs.k8s.io/reference/spec/
- OpenShift Route spec.port.targetPort (a target port on the endpoints):
  https://docs.openshift.com/container-platform/latest/rest_api/network_apis/route-route-openshift-io-v1.html
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: w, ports: [{name: http, containerPort: 8080}, {name: admin, containerPort: 9000}]}
"""
DENY_ALL = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def svc(extra: str, ports: str = "[{port: 80, targetPort: http}]") -> str:
    return f"""\
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{app: web}}
  ports: {ports}
{extra}
"""


def run(tmp_path: Path, text: str, *args: str) -> dict[str, Any]:
    (tmp_path / "m.yaml").write_text(text)
    done = subprocess.run([sys.executable, "-m", "policylint", "exposure", str(tmp_path), "-f", "json", *args],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def reached(doc: dict[str, Any]) -> list[tuple[str, str, str | None, tuple[str, ...], dict[str, Any]]]:
    return [(e["workload"]["name"], e["entry"]["kind"], e["entry"]["service_type"], tuple(e["sources"]), e["conns"])
            for e in doc["exposures"]]  # fmt: skip


def test_a_clusterip_service_is_no_way_in(tmp_path: Path) -> None:
    assert run(tmp_path, WEB + svc(""))["exposures"] == []


def test_loadbalancer_reaches_the_target_port_from_everywhere(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + svc("  type: LoadBalancer"))
    assert reached(doc) == [("web", "Service", "LoadBalancer", ("0.0.0.0/0", "::/0"), {"TCP": [[8080, 8080]]})]


def test_source_ranges_narrow_who_may_connect(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + svc("  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24]"))
    assert reached(doc)[0][3] == ("203.0.113.0/24",)


CLIENT_BLOCK = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: office, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}]}]
"""


def test_cluster_traffic_policy_hides_the_client_so_a_client_ipblock_admits_nothing(tmp_path: Path) -> None:
    # externalTrafficPolicy: Cluster SNATs to a node address (source-ip tutorial): the ipBlock never matches.
    doc = run(tmp_path, WEB + svc("  type: LoadBalancer") + CLIENT_BLOCK)
    assert doc["exposures"] == []
    assert [b["conns"] for b in doc["blocked"]] == [{"TCP": [[8080, 8080]]}]
    assert any("externalTrafficPolicy: Cluster" in a for a in doc["assumptions"])


def test_local_traffic_policy_keeps_the_client_so_the_ipblock_decides(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + svc("  type: LoadBalancer\n  externalTrafficPolicy: Local") + CLIENT_BLOCK)
    assert reached(doc) == [("web", "Service", "LoadBalancer", ("203.0.113.0/24",), {"TCP": [[8080, 8080]]})]


def test_node_cidr_decides_behind_cluster_traffic_policy(tmp_path: Path) -> None:
    nodes = CLIENT_BLOCK.replace("203.0.113.0/24", "10.0.0.0/16")
    doc = run(tmp_path, WEB + svc("  type: LoadBalancer") + nodes, "--node-cidr", "10.0.0.0/16")
    assert [e[4] for e in reached(doc)] == [{"TCP": [[8080, 8080]]}]


def test_nodeport_and_external_ips(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + svc("  type: NodePort", "[{port: 80, targetPort: http, nodePort: 30080}]"))
    assert [(e["entry"]["service_type"], e["ports"]) for e in doc["exposures"]] == [("NodePort", [30080])]
    doc = run(tmp_path, WEB + svc("  externalIPs: [198.51.100.7]"))
    assert [(e["entry"]["kind"], e["entry"]["service_type"]) for e in doc["exposures"]] == [("Service", None)]


def test_host_port_is_a_way_in(tmp_path: Path) -> None:
    text = WEB.replace("{name: admin, containerPort: 9000}", "{name: admin, containerPort: 9000, hostPort: 9000}")
    doc = run(tmp_path, text)
    assert [(e["entry"]["kind"], e["conns"], e["ports"]) for e in doc["exposures"]] == [
        ("HostPort", {"TCP": [[9000, 9000]]}, [9000])
    ]
    # Said as for NodePorts: the node firewall is not in the manifests (kube-prometheus' node-exporter
    # was shown open to 0.0.0.0/0 with no assumption listed).
    assert any("hostPorts are reachable from anywhere" in a for a in doc["assumptions"])


def test_host_network_pod_states_that_declared_ports_are_all_it_knows(tmp_path: Path) -> None:
    # Pod API, ContainerPort: "Not specifying a port here DOES NOT prevent that port from being
    # exposed" (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports).
    text = WEB.replace("    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:")
    doc = run(tmp_path, text)
    assert {e["entry"]["kind"] for e in doc["exposures"]} == {"HostNetwork"}
    assert any("host-network pods and hostPorts are reachable from anywhere" in a for a in doc["assumptions"])
    assert any("containerPort is informational" in a for a in doc["assumptions"])
    assert not any("hostPorts" in a for a in run(tmp_path, WEB)["assumptions"])


INGRESS = """\
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop, annotations: {external-dns.alpha.kubernetes.io/hostname: www.example.com}}
spec:
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"""
FROM_CONTROLLER = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-controller, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]
"""


def test_ingress_reaches_the_backend_through_the_controller(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + svc("") + INGRESS)
    [e] = doc["exposures"]
    assert (e["entry"]["kind"], e["conns"]) == ("Ingress", {"TCP": [[8080, 8080]]})
    assert e["hostnames"] == ["shop.example.com", "www.example.com"]
    assert any("ingress-controller-ns" in a and "assumed" in a for a in doc["assumptions"])


def test_a_backend_that_does_not_admit_the_controller_is_blocked(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + svc("") + INGRESS + DENY_ALL)
    assert doc["exposures"] == [] and [b["entry"]["kind"] for b in doc["blocked"]] == ["Ingress"]


def test_configured_controller_namespace_is_a_labelless_pod_there(tmp_path: Path) -> None:
    text = WEB + svc("") + INGRESS + DENY_ALL + FROM_CONTROLLER
    assert run(tmp_path, text)["exposures"] == []  # the default controller namespace is not admitted
    doc = run(tmp_path, text, "--ingress-controller", "ingress-nginx")
    assert [e["conns"] for e in doc["exposures"]] == [{"TCP": [[8080, 8080]]}]


def test_controller_found_in_the_input_and_its_loadbalancer_is_the_entry(tmp_path: Path) -> None:
    controller = """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec: {containers: [{name: c, image: c, ports: [{containerPort: 443}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: controller, namespace: ingress-nginx}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [192.0.2.0/24]
  selector: {app.kubernetes.io/name: ingress-nginx}
  ports: [{port: 443}]
"""
    doc = run(tmp_path, WEB + svc("") + INGRESS + DENY_ALL + FROM_CONTROLLER + controller)
    ingress = [e for e in doc["exposures"] if e["entry"]["kind"] == "Ingress"]
    assert [(e["sources"], e["conns"]) for e in ingress] == [(["192.0.2.0/24"], {"TCP": [[8080, 8080]]})]


def test_ingress_backend_port_that_is_only_a_target_port_is_routed_as_ingress_nginx_does(tmp_path: Path) -> None:
    # backend.service.port.number names a Service port (Ingress API), and 8080 is only the target
    # port of Service port 80; ingress-nginx matches target ports too (internal/ingress/controller/
    # controller.go, serviceEndpoints: `port.TargetPort.String() == backendPort`) and netpol-analyzer
    # follows it (its k8s_ingress_test_new and onlineboutique_workloads_with_ingress cases), so it
    # is routed, with a note saying why.
    numeric = svc("", "[{port: 80, targetPort: 8080}]")
    doc = run(tmp_path, WEB + numeric + INGRESS.replace("{number: 80}", "{number: 8080}"))
    assert [(e["entry"]["kind"], e["conns"]) for e in doc["exposures"]] == [("Ingress", {"TCP": [[8080, 8080]]})]
    assert any("backend port 8080 is no port of Service shop/web but its targetPort" in n for n in doc["notes"])
    # ingress-nginx compares the targetPort as written: a named one (`http`) is not the number 8080,
    # and a number that is neither a Service port nor a target port routes nothing.
    assert run(tmp_path, WEB + svc("") + INGRESS.replace("{number: 80}", "{number: 8080}"))["exposures"] == []
    assert run(tmp_path, WEB + numeric + INGRESS.replace("{number: 80}", "{number: 9999}"))["exposures"] == []
    by_name = INGRESS.replace("{number: 80}", "{name: http}")
    doc = run(tmp_path, WEB + svc("", "[{name: web, port: 80, targetPort: http}]") + by_name)
    assert [e["conns"] for e in doc["exposures"]] == [{"TCP": [[8080, 8080]]}]


GATEWAY = """\
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
    - {name: https, port: 443, protocol: HTTPS, hostname: "*.example.com", allowedRoutes: {namespaces: {from: FROM}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""


@pytest.mark.parametrize(("allowed", "routed"), [("Same", False), ("All", True)])
def test_httproute_attaches_only_where_the_listener_allows_its_namespace(tmp_path: Path, allowed: str,
                                                                          routed: bool) -> None:  # fmt: skip
    doc = run(tmp_path, WEB + svc("") + GATEWAY.replace("FROM", allowed))
    assert [(e["entry"]["kind"], e["hostnames"]) for e in doc["exposures"]] == (
        [("HTTPRoute", ["*.example.com"])] if routed else []
    )


def test_cross_namespace_backend_needs_a_reference_grant(tmp_path: Path) -> None:
    route = GATEWAY.replace("FROM", "All").replace("namespace: shop}\nspec:\n  parentRefs",
                                                   "namespace: infra}\nspec:\n  parentRefs")
    route = route.replace("[{name: web, port: 80}]", "[{name: web, namespace: shop, port: 80}]")
    doc = run(tmp_path, WEB + svc("") + route)
    assert doc["exposures"] == [] and any("ReferenceGrant" in n for n in doc["notes"])
    grant = """\
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-infra, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]
  to: [{group: "", kind: Service}]
"""
    assert [e["entry"]["kind"] for e in run(tmp_path, WEB + svc("") + route + grant)["exposures"]] == ["HTTPRoute"]


def test_openshift_route_target_port_is_a_pod_port(tmp_path: Path) -> None:
    route = """\
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
  host: web.apps.example.com
  to: {kind: Service, name: web}
  port: {targetPort: 9000}
"""
    doc = run(tmp_path, WEB + svc("", "[{port: 80, targetPort: http}, {port: 90, targetPort: admin}]") + route)
    assert [(e["entry"]["kind"], e["conns"]) for e in doc["exposures"]] == [("Route", {"TCP": [[9000, 9000]]})]


def test_text_output_names_entry_and_assumptions(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(WEB + svc("  type: LoadBalancer") + INGRESS)
    done = subprocess.run([sys.executable, "-m", "policylint", "exposure", str(tmp_path)], capture_output=True,
                          text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0
    assert "shop/web[Deployment]" in done.stdout and "reached via LoadBalancer Service shop/web port 80" in done.stdout
    assert "reached via Ingress shop/web (shop.example.com, www.example.com)" in done.stdout
    assert "Assumptions:" in done.stdout


def test_a_policy_the_plugin_does_not_enforce_blocks_no_way_in(tmp_path: Path) -> None:
    # Flannel enforces no NetworkPolicy (https://github.com/flannel-io/flannel/issues/558;
    # policylint/cni/profiles.json): under `--cni flannel` the deny-all is inert, as matrix says too.
    text = WEB + svc("  type: LoadBalancer") + DENY_ALL
    assert run(tmp_path, text)["exposures"] == []
    doc = run(tmp_path, text, "--cni", "flannel")
    assert reached(doc) == [("web", "Service", "LoadBalancer", ("0.0.0.0/0", "::/0"), {"TCP": [[8080, 8080]]})]
