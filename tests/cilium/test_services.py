"""`toServices` resolved to the named Service's endpoints, as Cilium's docs say.

Documentation/security/policy/language.rst, "Services based": "Services based rules will only take
effect on Kubernetes services without a selector"; a Service is named by name and namespace
(`k8sService`) or by a label selector (`k8sServiceSelector`); "For services backed by pods, use
Endpoints Based rules on the backend pod labels"; Limitations: "toServices statements must not be
combined with toPorts statements in the same rule. If a rule combines both these statements, the
policy is rejected." The backend addresses become CIDR rules (pkg/k8s/rule_translate.go).
"""

from __future__ import annotations

import ipaddress

from cilium_cases import cluster

from policylint.engine.concrete import Evaluator
from policylint.engine.flow import Flow
from policylint.load import LoadResult
from policylint.model.policy import Protocol

DB = ipaddress.ip_address("198.51.100.10")
OTHER = ipaddress.ip_address("198.51.100.11")
EXTERNAL_DB = """apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop, labels: {external: "yes"}}
spec: {ports: [{port: 5432}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: db, namespace: shop}
subsets: [{addresses: [{ip: 198.51.100.10}], ports: [{port: 5432}]}]
---
"""
POD_BACKED = """apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 80}]}
---
"""


def egress(to: str) -> str:
    return f"""apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {{name: web-out, namespace: shop}}
spec:
  endpointSelector: {{matchLabels: {{app: web}}}}
  egress:
  - toServices: [{to}]
"""


def web_to(res: LoadResult, dst: object, port: int = 5432) -> bool:
    ev = Evaluator(res.cluster)
    web = next(i for i, w in enumerate(ev.workloads) if w.namespace == "shop" and w.name == "web")
    target = dst if not isinstance(dst, str) else next(
        i for i, w in enumerate(ev.workloads) if f"{w.namespace}/{w.name}" == dst)
    return ev.verdict(Flow(web, target, Protocol.TCP, port)).allowed  # type: ignore[arg-type]


def test_a_service_without_selector_admits_its_endpoint_addresses() -> None:
    res = cluster(EXTERNAL_DB + egress("{k8sService: {serviceName: db, namespace: shop}}"))
    assert web_to(res, DB) and web_to(res, DB, 443)  # every port: the rule has no toPorts
    assert not web_to(res, OTHER)


def test_a_service_selector_picks_services_by_their_labels() -> None:
    res = cluster(EXTERNAL_DB + egress("{k8sServiceSelector: {selector: {matchLabels: {external: 'yes'}}}}"))
    assert web_to(res, DB)
    res = cluster(EXTERNAL_DB + egress("{k8sServiceSelector: {selector: {matchLabels: {external: 'no'}}}}"))
    assert not web_to(res, DB)


def test_an_endpoint_slice_lists_the_backends_too() -> None:
    slice_ = EXTERNAL_DB.split("---\napiVersion: v1\nkind: Endpoints")[0] + """---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-abc, namespace: shop, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
endpoints: [{addresses: [198.51.100.10]}]
---
"""
    assert web_to(cluster(slice_ + egress("{k8sService: {serviceName: db, namespace: shop}}")), DB)


def test_a_service_with_a_selector_gets_no_rule_and_the_answer_says_so() -> None:
    res = cluster(POD_BACKED + egress("{k8sService: {serviceName: api, namespace: shop}}"))
    assert not web_to(res, "shop/api", 80)
    [peer] = res.cluster.tiers[0].policies[0].rules[0].peers
    assert "a Service with a selector" in peer.unresolved[0]


def test_a_service_missing_from_the_input_stays_unresolved() -> None:
    res = cluster(egress("{k8sService: {serviceName: ghost, namespace: shop}}"))
    [peer] = res.cluster.tiers[0].policies[0].rules[0].peers
    assert "no such Service in the input" in peer.unresolved[0]


def test_to_services_with_to_ports_is_rejected() -> None:
    bad = egress("{k8sService: {serviceName: db, namespace: shop}}") + "    toPorts: [{ports: [{port: '5432'}]}]\n"
    res = cluster(EXTERNAL_DB + bad)
    assert "NP741" in [p.rule for p in res.problems]
    assert res.cluster.tiers == ()
