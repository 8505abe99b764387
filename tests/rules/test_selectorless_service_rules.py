"""The in-cluster Service rules on Services without a selector: their backends are the pods of the
input that the EndpointSlices (or Endpoints) name, and each backend receives the port the slice
lists for the Service port (matched by name), not the Service's targetPort.

Sources: https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors
and the EndpointSlice API reference
(https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoint-slice-v1/#EndpointSlice:
EndpointPort.name "must match the name of a port in the Service"; conditions.ready).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint import api

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: TYPE
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: shop, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: SLICEPORT, protocol: TCP}]
endpoints:
  - addresses: [10.0.0.5]
    conditions: {ready: READY}
    targetRef: {kind: Pod, name: api-7d9f8b6c5d-x2k4q, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
---
"""

# api's ingress admits TCP 80 from anywhere.
INGRESS_80 = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{ports: [{port: 80}]}]
"""

# web's egress to api allows 80, the Service port.
EGRESS_80 = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 80}]
"""

# Meant for egress only; without policyTypes it isolates api's ingress too.
EGRESS_ONLY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
"""

# A client range on 8080, behind a LoadBalancer whose externalTrafficPolicy is Cluster (SNAT).
OFFICE_8080 = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: office, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 8080}]}]
"""


def rules(tmp_path: Path, rule: str, policy: str, port: int = 8080, ready: bool = True,
          kind: str = "ClusterIP") -> list[str]:  # fmt: skip
    text = SERVICE.replace("TYPE", kind).replace("SLICEPORT", str(port)).replace("READY", str(ready).lower())
    (tmp_path / "m.yaml").write_text(text + policy)
    return [f.rule for f in api.lint([str(tmp_path)], api.load_config(None).only([rule])).findings]


@pytest.mark.parametrize("slice_port, expected", [(8080, ["NP502"]), (80, [])])
def test_np502_asks_the_endpointslice_port_not_the_target_port(tmp_path: Path, slice_port: int,
                                                              expected: list[str]) -> None:  # fmt: skip
    # The Service says targetPort 80 (admitted), but a selector-less Service sends to the slice port.
    assert rules(tmp_path, "NP502", INGRESS_80, slice_port) == expected


@pytest.mark.parametrize("slice_port, expected", [(8080, ["NP503"]), (80, [])])
def test_np503_compares_the_egress_port_with_the_endpointslice_port(tmp_path: Path, slice_port: int,
                                                                   expected: list[str]) -> None:  # fmt: skip
    assert rules(tmp_path, "NP503", EGRESS_80, slice_port) == expected


@pytest.mark.parametrize("ready, expected", [(True, ["NP505"]), (False, [])])
def test_np505_counts_a_pod_behind_an_endpointslice_as_behind_the_service(tmp_path: Path, ready: bool,
                                                                         expected: list[str]) -> None:  # fmt: skip
    # A not-ready address gets no traffic (conditions.ready false): the pod is not a backend.
    assert rules(tmp_path, "NP505", EGRESS_ONLY, ready=ready) == expected


@pytest.mark.parametrize("slice_port, expected", [(8080, ["NP523"]), (9090, [])])
def test_np523_looks_at_the_endpointslice_port_of_a_selectorless_loadbalancer(tmp_path: Path, slice_port: int,
                                                                             expected: list[str]) -> None:  # fmt: skip
    assert rules(tmp_path, "NP523", OFFICE_8080, slice_port, kind="LoadBalancer") == expected


def test_np206_is_silent_for_endpoints_the_input_does_not_hold(tmp_path: Path) -> None:
    # Endpoints managed elsewhere: nothing to say (the bad/good fixtures hold the other cases).
    text = SERVICE.split("---\napiVersion: discovery")[0].replace("TYPE", "ClusterIP")
    (tmp_path / "m.yaml").write_text(text)
    assert api.lint([str(tmp_path)], api.load_config(None).only(["NP206", "NP207"])).findings == []
