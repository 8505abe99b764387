"""Verdicts on mixed Kubernetes and Cilium input, each case citing the Cilium passage it tests.

Docs: cilium/cilium Documentation/security/policy/ (intro.rst, layer3.rst, layer4.rst, deny.rst,
kubernetes.rst) as rendered at https://docs.cilium.io/en/stable/security/policy/; API:
pkg/policy/api and pkg/k8s/apis/cilium.io/utils/utils.go. Pods: shop/api, shop/web, other/web,
kube-system/dns (cilium_cases.py).
"""

from __future__ import annotations

from cilium_cases import OUTSIDE, cluster, flow, line_of

from policylint.engine.concrete import Evaluator
from policylint.load import LoadResult
from policylint.model.policy import Protocol

UDP, SCTP = Protocol.UDP, Protocol.SCTP
API_FROM_WEB = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
"""


def allowed(res: LoadResult, src: object, dst: object, port: int, protocol: Protocol = Protocol.TCP) -> bool:
    return Evaluator(res.cluster).verdict(flow(res, src, dst, port, protocol)).allowed  # type: ignore[arg-type]


# intro.rst "Endpoint default policy": selected by a rule with an ingress section -> default deny
# for ingress; only explicitly allowed traffic. Egress of the same endpoint stays open.
def test_selected_endpoint_is_default_deny_for_the_listed_direction_only() -> None:
    res = cluster(API_FROM_WEB)
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "shop/web", "shop/api", 81)
    assert not allowed(res, "kube-system/dns", "shop/api", 80)
    assert allowed(res, "shop/api", "shop/web", 9999)  # api's egress is not selected


# kubernetes.rst "Namespaces": a CiliumNetworkPolicy applies within its namespace; fromEndpoints
# without k8s:io.kubernetes.pod.namespace means the policy's namespace (utils.go getEndpointSelector).
def test_peer_without_namespace_label_means_the_policy_namespace() -> None:
    res = cluster(API_FROM_WEB)
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "other/web", "shop/api", 80)


# kubernetes.rst "Example: Allow egress to kube-dns in kube-system namespace": the namespace is
# named by the label k8s:io.kubernetes.pod.namespace.
def test_pod_namespace_label_reaches_another_namespace() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: dns, namespace: shop}
spec:
  endpointSelector: {}
  egress:
  - toEndpoints:
    - matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}
    toPorts: [{ports: [{port: "53", protocol: UDP}]}]
""")
    assert allowed(res, "shop/web", "kube-system/dns", 53, UDP)
    assert not allowed(res, "shop/web", "kube-system/dns", 53)  # TCP not listed
    assert not allowed(res, "shop/web", "shop/api", 80)  # egress default deny
    assert allowed(res, "other/web", "shop/api", 80)  # other namespace not selected


# kubernetes.rst: "The endpointSelector always applies to pods in the namespace associated with
# the CiliumNetworkPolicy resource itself" (utils.go ParseToCiliumRule replaces a written namespace).
def test_namespace_in_endpoint_selector_is_replaced_by_the_policy_namespace() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lock, namespace: shop}
spec:
  endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": other, app: web}}
  ingress: [{}]
""")
    assert not allowed(res, "shop/api", "shop/web", 80)
    assert allowed(res, "shop/api", "other/web", 80)


# kubernetes.rst "Clusterwide Policies": a CiliumClusterwideNetworkPolicy selects and admits pods of
# any namespace; utils.go adds only "k8s:io.kubernetes.pod.namespace Exists" to its peers.
def test_clusterwide_policy_spans_namespaces() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: web-from-web}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
""")
    assert allowed(res, "other/web", "shop/web", 80)
    assert allowed(res, "shop/web", "other/web", 80)
    assert not allowed(res, "shop/api", "shop/web", 80)


# kubernetes.rst "Namespaces": namespace labels appear as k8s:io.cilium.k8s.namespace.labels.<key>.
def test_namespace_labels_prefix_selects_namespaces_by_label() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: from-team-other}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {"k8s:io.cilium.k8s.namespace.labels.team": other}}]
""")
    assert allowed(res, "other/web", "shop/api", 80)
    assert not allowed(res, "shop/web", "shop/api", 80)


# layer3.rst "Simple Egress Deny": "If an egressDeny rule matches, egress traffic is denied even if
# the policy contains egress rules that would otherwise allow it."
def test_deny_wins_over_allow_in_the_same_policy() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress: [{toEndpoints: [{}]}]
  egressDeny:
  - toEndpoints: [{matchLabels: {app: api}}]
    toPorts: [{ports: [{port: "5432"}]}]
""")
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "shop/web", "shop/api", 5432)


# deny.rst: "Deny policies take precedence over allow policies, regardless of whether they are a
# Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy."
def test_cilium_deny_overrides_a_network_policy_allow() -> None:
    text = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{namespaceSelector: {}}]}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: no-other}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": other}}]
"""
    res = cluster(text)
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "other/web", "shop/api", 80)
    v = Evaluator(res.cluster).verdict(flow(res, "other/web", "shop/api", 80))
    d = v.ingress.decision
    assert d is not None and d.origin is not None
    assert (d.origin.kind, d.origin.name, d.origin.section, d.origin.rule_index) == (
        "CiliumClusterwideNetworkPolicy", "no-other", "ingressDeny", 0)
    assert d.origin.span.line == line_of(text, "- fromEndpoints")
    assert not allowed(res, OUTSIDE, "shop/api", 80)  # the NetworkPolicy still isolates api


# deny.rst: "Similarly to 'allow' policies, Pods will enter default-deny mode as soon as a single
# policy selects it." A NetworkPolicy allow still counts in the union (Cilium enforces both).
def test_deny_only_policy_isolates_and_network_policy_allows_join_the_union() -> None:
    deny_only = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-other, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingressDeny: [{fromEndpoints: [{matchLabels: {app: nothing}}]}]
"""
    res = cluster(deny_only)
    assert not allowed(res, "shop/web", "shop/api", 80)
    res = cluster(deny_only + """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
""")
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "other/web", "shop/api", 80)


# intro.rst: "Rules with EnableDefaultDeny disabled are ignored when determining the default mode."
def test_enable_default_deny_false_adds_allows_without_isolating() -> None:
    res = cluster(API_FROM_WEB.replace("  ingress:", "  enableDefaultDeny: {ingress: false}\n  ingress:"))
    assert allowed(res, "shop/web", "shop/api", 80)
    assert allowed(res, "kube-system/dns", "shop/api", 80)


# Explicitly empty lists select nothing (Cilium 1.15 upgrade notes; CiliumOptions), while an
# absent L3 field is no constraint: toPorts alone admits every peer (layer4.rst "Limit ingress/egress ports").
def test_empty_list_selects_nothing_and_absent_l3_is_every_peer() -> None:
    empty = API_FROM_WEB.replace("[{matchLabels: {app: web}}]", "[]")
    assert not allowed(cluster(empty), "shop/web", "shop/api", 80)
    ports_only = API_FROM_WEB.replace("  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts", "  - toPorts")
    res = cluster(ports_only)
    assert allowed(res, "other/web", "shop/api", 80)
    assert allowed(res, OUTSIDE, "shop/api", 80)
    assert not allowed(res, "other/web", "shop/api", 81)


# examples/policies/l3/egress-default-deny (layer3.rst "Ingress/Egress Default Deny"): a section
# with no allowing rule only puts the endpoint into default deny.
def test_empty_rule_only_isolates() -> None:
    res = cluster(API_FROM_WEB.replace("  - fromEndpoints: [{matchLabels: {app: web}}]\n"
                                       "    toPorts: [{ports: [{port: \"80\", protocol: TCP}]}]\n", "  - {}\n"))
    assert not allowed(res, "shop/web", "shop/api", 80)


# layer3.rst "IP/CIDR based": CIDR rules do not match pods; world is everything outside the
# cluster; toCIDRSet except carves subnets out.
def test_cidr_and_world_match_outside_addresses_only() -> None:
    import ipaddress

    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toCIDRSet: [{cidr: 0.0.0.0/0, except: [203.0.113.0/24]}]
""")
    assert allowed(res, "shop/web", ipaddress.ip_address("198.51.100.1"), 443)
    assert not allowed(res, "shop/web", OUTSIDE, 443)
    assert not allowed(res, "shop/web", "shop/api", 443)
    world = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress: [{toEntities: [world]}]
""")
    assert allowed(world, "shop/web", OUTSIDE, 443)
    assert not allowed(world, "shop/web", "shop/api", 443)


# layer3.rst "Entities based": cluster = the endpoints of the local cluster (pods; not outside);
# all = everything.
def test_cluster_and_all_entities() -> None:
    base = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: e, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEntities: [ENTITY]}]
"""
    res = cluster(base.replace("ENTITY", "cluster"))
    assert allowed(res, "other/web", "shop/api", 80)
    assert not allowed(res, OUTSIDE, "shop/api", 80)
    res = cluster(base.replace("ENTITY", "all"))
    assert allowed(res, OUTSIDE, "shop/api", 80)


# pkg/policy/api/l4.go PortProtocol: protocol ANY (the default) means TCP, UDP and SCTP; endPort
# makes a range; a port name resolves on the destination pod.
def test_ports_any_protocol_range_and_names() -> None:
    res = cluster(API_FROM_WEB.replace('[{port: "80", protocol: TCP}]', '[{port: "80", endPort: 90}, {port: http}]'))
    assert allowed(res, "shop/web", "shop/api", 85, UDP)
    assert allowed(res, "shop/web", "shop/api", 90, SCTP)
    assert not allowed(res, "shop/web", "shop/api", 91)
    assert allowed(res, "shop/web", "shop/api", 8080)


# layer3.rst "DNS based": toFQDNs peers are learned from DNS answers at run time: unresolvable
# offline, so they match nothing modelled and the answer names them.
def test_to_fqdns_is_named_and_matches_nothing_offline() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: fqdn, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toFQDNs: [{matchName: api.example.com}]
    toPorts: [{ports: [{port: "443"}]}]
""")
    v = Evaluator(res.cluster).verdict(flow(res, "shop/web", OUTSIDE, 443))
    assert not v.allowed
    assert any("api.example.com" in n for n in v.egress.notes)


# layer7.rst: L7 rules are enforced by the proxy; the analysis admits the port and says it depends
# on them.
def test_l7_rules_are_named_on_the_decision() -> None:
    res = cluster(API_FROM_WEB.replace("protocol: TCP}]}]", "protocol: TCP}], rules: {http: [{method: GET}]}}]"))
    v = Evaluator(res.cluster).verdict(flow(res, "shop/web", "shop/api", 80))
    assert v.allowed
    assert v.ingress.decision is not None and any("http" in u for u in v.ingress.decision.unmodelled)


# pkg/policy/api/rule_validation.go: "combining FromEndpoints and FromCIDR is not supported" - the
# agent rejects the policy whole, so it has no effect, and policylint reports it at its line.
def test_rejected_policy_is_ignored_and_reported() -> None:
    res = cluster(API_FROM_WEB.replace("  - fromEndpoints:", "  - fromCIDR: [10.0.0.0/8]\n    fromEndpoints:"))
    assert allowed(res, "kube-system/dns", "shop/api", 80)  # no isolation: the policy does not exist
    assert [p.rule for p in res.problems] == ["NP741"]
    assert res.problems[0].span.line == line_of(API_FROM_WEB, "fromEndpoints")  # the fromCIDR line


# intro.rst "Rule Basics" + CRD `specs`: each item of specs is a rule of its own.
def test_specs_list_items_are_rules_of_their_own() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: two, namespace: shop}
specs:
- endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
- endpointSelector: {matchLabels: {app: web}}
  egress: [{toEndpoints: [{matchLabels: {app: api}}]}]
""")
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "shop/web", "other/web", 80)
    assert not allowed(res, "other/web", "shop/api", 80)


# layer3.rst "Additional Label Requirements": fromRequires grants nothing alone and constrains the
# allowed peers of the rule.
def test_from_requires_constrains_allowed_peers() -> None:
    res = cluster("""\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: req}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    fromRequires: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": shop}}]
""")
    assert allowed(res, "shop/web", "shop/api", 80)
    assert not allowed(res, "other/web", "shop/api", 80)
