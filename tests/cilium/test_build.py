"""The Cilium builder's reading of policies into the rule form (no engine needed), each point citing
its source in cilium/cilium."""

from __future__ import annotations

from cilium_cases import cluster, line_of

from policylint.model.build_cilium_selector import split_key
from policylint.model.policy import Direction, Protocol
from policylint.model.rule_form import Action, Combine, Match
from policylint.model.workload import NAMESPACE_NAME_LABEL

CNP = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec:
  endpointSelector: {matchLabels: {"k8s:app": api}}
  ingress:
  - fromEndpoints:
    - matchLabels: {"any:app": web, "k8s:io.cilium.k8s.namespace.labels.team": shop}
    toPorts: [{ports: [{port: "53"}]}]
  egressDeny:
  - toEntities: [host]
"""


def _tier(text: str):  # type: ignore[no-untyped-def]
    res = cluster(text)
    assert [t.name for t in res.cluster.tiers] == ["Cilium"]
    return res, res.cluster.tiers[0]


# pkg/labels GetExtendedKeyFrom: `src:key`, `$key` (reserved), bare key = any source.
def test_label_sources() -> None:
    assert split_key("k8s:app") == ("k8s", "app")
    assert split_key("app") == ("any", "app")
    assert split_key("$host") == ("reserved", "host")
    assert split_key("k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name") == (
        "k8s", "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name")


# One UNION_MINUS_DENY tier that also holds NetworkPolicy v1 (deny.rst).
def test_one_union_minus_deny_tier_with_origins() -> None:
    res, tier = _tier(CNP)
    assert res.problems == []
    assert tier.combine is Combine.UNION_MINUS_DENY and tier.holds_network_policy
    (pol,) = [p for p in tier.policies if p.origin.kind == "CiliumNetworkPolicy"]
    assert pol.origin.ref == "shop/lockdown"
    assert pol.directions == (Direction.INGRESS, Direction.EGRESS)
    allow, deny = pol.rules
    assert (allow.action, allow.origin.section, allow.origin.rule_index) == (Action.ALLOW, "ingress", 0)
    assert (deny.action, deny.origin.section, deny.origin.span.line) == (Action.DENY, "egressDeny",
                                                                         line_of(CNP, "toEntities"))
    # toPorts without protocol: ANY = TCP, UDP and SCTP (pkg/policy/api/l4.go)
    assert sorted(p.protocol.value for p in allow.ports or ()) == sorted(p.value for p in Protocol)
    # host entity: a named peer the analysis cannot see (layer3.rst "Entities based")
    assert deny.peers == (Match(unresolved=("entity host",)),)


# utils.go getEndpointSelector: a CNP peer naming namespace labels is not confined to the policy's
# namespace; the subject always is (ParseToCiliumRule).
def test_namespace_scoping_in_the_selector_model() -> None:
    _, tier = _tier(CNP)
    (pol,) = [p for p in tier.policies if p.origin.kind == "CiliumNetworkPolicy"]
    assert pol.subject[0].namespace == "shop"
    peer = pol.rules[0].peers[0].pods
    assert peer is not None and peer.namespace is None and peer.namespace_selector is not None
    assert [(r.key, r.values) for r in peer.namespace_selector.match_expressions] == [("team", ("shop",))]
    assert [(r.key, r.values) for r in peer.pods.match_expressions] == [("app", ("web",))]


def test_pod_namespace_label_becomes_the_namespace() -> None:
    _, tier = _tier(CNP.replace('"k8s:io.cilium.k8s.namespace.labels.team": shop',
                                '"k8s:io.kubernetes.pod.namespace": kube-system'))
    peer = tier.policies[0].rules[0].peers[0].pods
    assert peer is not None and peer.namespace == "kube-system"
    _, tier = _tier(CNP.replace('"k8s:io.cilium.k8s.namespace.labels.team": shop}',
                                '}\n      matchExpressions: [{key: io.kubernetes.pod.namespace, operator: NotIn, '
                                'values: [shop]}]'))
    peer = tier.policies[0].rules[0].peers[0].pods
    assert peer is not None and peer.namespace_selector is not None
    assert peer.namespace_selector.match_expressions[0].key == NAMESPACE_NAME_LABEL


# rule_validation.go: unknown entity, except outside its cidr -> the agent rejects the policy.
def test_rejections_are_errors_at_their_line() -> None:
    for bad, needle in ((CNP.replace("[host]", "[hosts]"), "toEntities"),
                        (CNP.replace("toEntities: [host]", "toCIDRSet: [{cidr: 10.0.0.0/8, except: [11.0.0.0/16]}]"),
                         "toCIDRSet")):
        res = cluster(bad)
        assert [(p.rule, p.span.line) for p in res.problems if p.rule == "NP741"] == [("NP741", line_of(bad, needle))]
        assert res.cluster.tiers == ()


# Cilium 1.17+: a rule with no sections is rejected (the CRD's anyOf also flags it, NP002).
def test_rule_without_sections_is_rejected() -> None:
    res = cluster("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x, namespace: shop}\n"
                  "spec:\n  endpointSelector: {}\n")
    assert {p.rule for p in res.problems} == {"NP002", "NP741"}
    assert res.cluster.tiers == ()


# intro.rst "Node Selector": host policies are outside the model; reported, not evaluated.
def test_host_policy_is_reported_and_left_out() -> None:
    res = cluster("apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: h}\n"
                  "spec:\n  nodeSelector: {}\n  ingress: [{fromEntities: [cluster]}]\n")
    assert [p.rule for p in res.problems] == ["NP742"]
    assert res.cluster.tiers == ()


# The CRD schema (generated from Cilium's CRDs) types the fields: a wrong type is NP002 at its line.
def test_schema_violation_is_located() -> None:
    bad = CNP.replace('[{port: "53"}]', '[{port: "53", protocol: ICMP}]')
    res = cluster(bad)
    assert ("NP002", line_of(bad, "protocol: ICMP")) in [(p.rule, p.span.line) for p in res.problems]


# A NetworkPolicy-only input has no tiers: answers and speed are those of the native engine.
def test_network_policy_only_input_has_no_tiers() -> None:
    res = cluster("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: shop}\n"
                  "spec: {podSelector: {}}\n")
    assert res.cluster.tiers == ()
