"""Gateway API and OpenShift Route objects are validated against schemas generated from their
CRDs (scripts/gen_schemas_gateway_api.py): wrong types and unknown fields are located NP002.

Sources: the Gateway API CRDs (kubernetes-sigs/gateway-api config/crd/experimental, v1.6.1;
API reference https://gateway-api.sigs.k8s.io/reference/spec/) and the Route CRD of openshift/api
(route/v1; https://docs.openshift.com/container-platform/latest/rest_api/network_apis/route-route-openshift-io-v1.html).
Unknown fields are rejected because kubectl apply validates strictly by default (KEP-2885).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint import api
from policylint.load.kinds import DIALECT_KINDS, UNVALIDATED_KINDS
from policylint.load.validate import read_schema, schema_file

GATEWAY = "gateway.networking.k8s.io"
VALID = f"""\
apiVersion: {GATEWAY}/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: eg
  listeners:
    - name: https
      port: 443
      protocol: HTTPS
      hostname: shop.example.com
      tls: {{mode: Terminate, certificateRefs: [{{name: shop-cert}}]}}
      allowedRoutes: {{namespaces: {{from: Selector, selector: {{matchLabels: {{expose: "true"}}}}}}}}
---
apiVersion: {GATEWAY}/v1
kind: HTTPRoute
metadata: {{name: web, namespace: shop}}
spec:
  parentRefs: [{{name: gw, namespace: infra, sectionName: https}}]
  hostnames: [shop.example.com]
  rules:
    - matches: [{{path: {{type: PathPrefix, value: /}}}}]
      backendRefs: [{{name: web, port: 80, weight: 1}}]
---
apiVersion: {GATEWAY}/v1
kind: GRPCRoute
metadata: {{name: rpc, namespace: shop}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  rules: [{{matches: [{{method: {{service: shop.Cart}}}}], backendRefs: [{{name: cart, port: 9000}}]}}]
---
apiVersion: {GATEWAY}/v1alpha2
kind: TLSRoute
metadata: {{name: tls, namespace: shop}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [db.example.com]
  rules: [{{backendRefs: [{{name: db, port: 5432}}]}}]
---
apiVersion: {GATEWAY}/v1beta1
kind: ReferenceGrant
metadata: {{name: from-shop, namespace: data}}
spec:
  from: [{{group: {GATEWAY}, kind: HTTPRoute, namespace: shop}}]
  to: [{{group: "", kind: Service}}]
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {{name: web, namespace: shop}}
spec:
  host: www.example.com
  to: {{kind: Service, name: web, weight: 100}}
  port: {{targetPort: http}}
  tls: {{termination: edge, insecureEdgeTerminationPolicy: Redirect}}
"""


def lint_text(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    (tmp_path / "m.yaml").write_text(text)
    report = api.lint([str(tmp_path / "m.yaml")], api.load_config(None).only([]))
    return [(f.span.line, f.message) for f in report.findings if f.rule == "NP002"]


def test_every_entry_kind_and_version_read_has_a_generated_schema() -> None:
    # Only operators' custom resources and CRDs (a few fields read) go without a schema.
    assert not {(v, k) for v, k in UNVALIDATED_KINDS if v.startswith((GATEWAY, "route.openshift.io"))}
    for version, kinds in DIALECT_KINDS.items():
        if version.startswith((GATEWAY, "route.openshift.io")):
            for kind in kinds:
                schema = read_schema(schema_file(version, kind))
                assert schema["properties"]["kind"]["enum"] == [kind]
                assert schema["properties"]["apiVersion"]["enum"] == [version]


def test_valid_objects_of_every_kind_pass(tmp_path: Path) -> None:
    assert lint_text(tmp_path, VALID) == []


@pytest.mark.parametrize(("old", "new", "message"), [
    ("port: 443", 'port: "443"', "spec.listeners[0].port: '443' is not an integer"),
    ("allowedRoutes:", "allowedRoute:", "unknown field 'allowedRoute' (did you mean 'allowedRoutes'?)"),
    ("weight: 1}", "weigth: 1}", "spec.rules[0].backendRefs[0].weigth: unknown field 'weigth'"),
    ("method: {service", "methd: {service", "unknown field 'methd' (did you mean 'method'?)"),
    ("hostnames: [db.example.com]", "hostnames: db.example.com", "spec.hostnames: 'db.example.com' is not a list"),
    ('to: [{group: "", kind: Service}]', 'to: [{group: "", kind: Service, nam: db}]',
     "spec.to[0].nam: unknown field 'nam' (did you mean 'name'?)"),
    ("weight: 100}", "weight: heavy}", "spec.to.weight: 'heavy' is not an integer"),
    ("insecureEdgeTerminationPolicy", "insecureEdgeTermination", "unknown field 'insecureEdgeTermination'"),
])  # fmt: skip
def test_wrong_types_and_unknown_fields_are_located(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if new in row)
    found = lint_text(tmp_path, text)
    assert [ln for ln, _ in found] == [line] and message in found[0][1], found
