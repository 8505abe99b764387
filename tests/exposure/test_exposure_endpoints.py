"""`exposure` through Services without a selector: the backends are the pods their EndpointSlices
(or Endpoints) name, on the ports listed there.

Source: https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors
("the EndpointSlice ... kubernetes.io/service-name"; the endpoint port is the backend's port) and
https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoint-slice-v1/.
"""

from __future__ import annotations

from pathlib import Path

from .test_exposure import INGRESS, WEB, run

SELECTORLESS = """\
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: TYPE
  ports: [{name: http, port: 80, targetPort: 1234}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
  - addresses: [10.0.0.5]
    targetRef: {kind: Pod, name: web-7d9f8b6c5d-x2k4q, namespace: shop}
  - addresses: [10.0.0.6]
    conditions: {ready: false}
    targetRef: {kind: Pod, name: web-7d9f8b6c5d-zzzzz, namespace: shop}
"""


def test_a_selectorless_loadbalancer_reaches_the_pods_its_endpointslice_names(tmp_path: Path) -> None:
    # The Deployment's generated pod name (web-<hash>-<suffix>) ties the address to the workload;
    # the slice's port 8080 is what the pod receives (the Service's targetPort 1234 is not used).
    doc = run(tmp_path, WEB + SELECTORLESS.replace("TYPE", "LoadBalancer"))
    assert [(e["workload"]["name"], e["entry"]["service_type"], e["conns"]) for e in doc["exposures"]] == [
        ("web", "LoadBalancer", {"TCP": [[8080, 8080]]})
    ]


def test_an_ingress_to_a_selectorless_service_reaches_the_endpoint_pods(tmp_path: Path) -> None:
    doc = run(tmp_path, WEB + SELECTORLESS.replace("TYPE", "ClusterIP") + INGRESS)
    assert [(e["entry"]["kind"], e["conns"]) for e in doc["exposures"]] == [("Ingress", {"TCP": [[8080, 8080]]})]


def test_without_endpoints_a_selectorless_service_reaches_nothing(tmp_path: Path) -> None:
    text = WEB + SELECTORLESS.replace("TYPE", "LoadBalancer").split("---\napiVersion: discovery")[0]
    assert run(tmp_path, text)["exposures"] == []
