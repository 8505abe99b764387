"""The network-policy-api builders: what each kind compiles into (model/rule_form.py).

Semantics cited from kubernetes-sigs/network-policy-api: apis/v1alpha2/clusternetworkpolicy_types.go
(v0.2.0) and apis/v1alpha1/{adminnetworkpolicy,baselineadminnetworkpolicy,shared}_types.go (v0.1.7).
"""

from __future__ import annotations

import ipaddress

from policylint.load import load_text
from policylint.model.policy import Direction, Protocol
from policylint.model.rule_form import ADMIN_RANK, BASELINE_RANK, Action, Combine, PodScope, Tier
from policylint.model.selector import EVERYTHING

CNP = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
ANP = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
BANP = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"


def tiers(text: str) -> tuple[Tier, ...]:
    result = load_text(text, "t.yaml")
    assert result.problems == [], result.problems
    return result.cluster.tiers


def problems(text: str) -> list[tuple[str, int, str]]:
    return [(p.rule, p.span.line, p.message) for p in load_text(text, "t.yaml").problems]


def cnp(name: str, tier: str, priority: int, body: str) -> str:
    return CNP + f"metadata: {{name: {name}}}\nspec:\n  tier: {tier}\n  priority: {priority}\n" + body


EVERY_NS = "  subject: {namespaces: {}}\n"
DENY_IN = "  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n"


def test_admin_and_baseline_tiers_are_first_match_at_their_ranks_without_default_action() -> None:
    # Tier order: "Admin tier, NetworkPolicy tier, Baseline tier" (ClusterNetworkPolicySpec.Tier);
    # no implicit isolation, so no default action (ClusterNetworkPolicySpec.Ingress: "CNPs with no
    # ingress rules do not affect ingress traffic").
    body = EVERY_NS + DENY_IN
    got = tiers(cnp("a", "Admin", 5, body) + "---\n" + cnp("b", "Baseline", 5, body))
    assert [(t.name, t.combine, t.rank, t.default_action) for t in got] == [
        ("Admin", Combine.FIRST_MATCH, ADMIN_RANK, None),
        ("Baseline", Combine.FIRST_MATCH, BASELINE_RANK, None),
    ]


def test_policies_are_ordered_by_priority_then_name() -> None:
    body = EVERY_NS + "  egress: [{action: Pass, to: [{namespaces: {}}]}]\n"
    text = "---\n".join(cnp(n, "Admin", p, body) for n, p in (("z", 1), ("b", 7), ("a", 7), ("c", 0)))
    (admin,) = tiers(text)
    assert [(p.origin.name, p.order) for p in admin.policies] == [
        ("c", (0.0, "c")), ("z", (1.0, "z")), ("a", (7.0, "a")), ("b", (7.0, "b"))]  # fmt: skip


def test_v1alpha2_actions_subjects_and_pod_peers() -> None:
    body = ("  subject: {pods: {namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {app: web}}}}\n"
            "  ingress:\n"
            "  - {action: Accept, from: [{namespaces: {matchLabels: {team: y}}}]}\n"
            "  - {action: Pass, from: [{pods: {podSelector: {matchLabels: {app: db}}}}]}\n"
            "  - {action: Deny, from: [{namespaces: {}}]}\n")  # fmt: skip
    (admin,) = tiers(cnp("p", "Admin", 3, body))
    (policy,) = admin.policies
    (subject,) = policy.subject
    assert subject.pods.match_labels == (("app", "web"),)
    assert subject.namespace_selector is not None and subject.namespace_selector.match_labels == (("team", "x"),)
    assert policy.directions == (Direction.INGRESS,)
    assert [r.action for r in policy.rules] == [Action.ALLOW, Action.PASS, Action.DENY]
    assert [r.origin.action_written for r in policy.rules] == ["Accept", "Pass", "Deny"]
    first, second, third = (r.peers[0].pods for r in policy.rules)
    assert first is not None and first.pods == EVERYTHING and first.namespace_selector is not None
    # NamespacedPod.NamespaceSelector: "if empty, it selects all Namespaces".
    assert second is not None and second.namespace_selector is None and second.pods.match_labels == (("app", "db"),)
    assert third == PodScope(EVERYTHING)
    assert [(r.origin.rule_index, r.origin.section, r.origin.span.line) for r in policy.rules] == [
        (0, "ingress", 9), (1, "ingress", 10), (2, "ingress", 11)]  # fmt: skip


def test_networks_match_pods_and_nodes_and_domain_names_are_unresolved() -> None:
    # ClusterNetworkPolicyEgressPeer.Networks: "cluster-internal traffic will be checked against the
    # rule as well"; Nodes select node IPs from node.Status.Addresses; DomainNames resolve by DNS.
    body = EVERY_NS + (
        "  egress:\n"
        "  - action: Accept\n"
        "    to: [{networks: [10.0.0.0/8, 'fd00::/8']}, {nodes: {}}, {domainNames: [a.example.com, '*.b.io']}]\n"
    )
    (admin,) = tiers(cnp("n", "Admin", 1, body))
    (rule,) = admin.policies[0].rules
    nets, nodes, dom_a, dom_b = rule.peers
    assert nets.networks_match_pods and [b.network for b in nets.networks or ()] == [
        ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]  # fmt: skip
    assert nodes.pods is None and nodes.networks is None and "nodes" in nodes.unresolved[0]
    assert [m.unresolved[0].split(" (")[0] for m in (dom_a, dom_b)] == ["domain name a.example.com",
                                                                       "domain name *.b.io"]  # fmt: skip


def test_v1alpha2_protocols_become_port_specs() -> None:
    body = EVERY_NS + (
        "  ingress:\n"
        "  - action: Accept\n"
        "    from: [{namespaces: {}}]\n"
        "    protocols:\n"
        "    - tcp: {destinationPort: {number: 80}}\n"
        "    - udp: {destinationPort: {range: {start: 1000, end: 2000}}}\n"
        "    - sctp: {destinationPort: {number: 9}}\n"
        "    - destinationNamedPort: http\n"
        "  - {action: Deny, from: [{namespaces: {}}]}\n"
    )
    (admin,) = tiers(cnp("p", "Admin", 1, body))
    with_ports, without = admin.policies[0].rules
    assert [(p.port, p.end_port, p.protocol) for p in with_ports.ports or ()] == [
        (80, None, Protocol.TCP), (1000, 2000, Protocol.UDP), (9, None, Protocol.SCTP),
        # A named port resolves on the destination pod, whatever the container port's protocol.
        ("http", None, Protocol.TCP), ("http", None, Protocol.UDP), ("http", None, Protocol.SCTP)]  # fmt: skip
    assert without.ports is None  # "If unspecified, protocol-specific attributes will not be used"


def test_v1alpha1_admin_network_policy_ports_default_to_tcp() -> None:
    # shared_types.go Port/PortRange: "If not specified, this field defaults to TCP".
    text = ANP + ("metadata: {name: anp}\nspec:\n  priority: 4\n" + EVERY_NS +
                  "  egress:\n  - action: Allow\n    to: [{pods: {namespaceSelector: {}, podSelector: {}}}]\n"
                  "    ports: [{portNumber: {port: 80}}, {portRange: {protocol: UDP, start: 5, end: 9}},"
                  " {namedPort: dns}]\n")  # fmt: skip
    (admin,) = tiers(text)
    policy = admin.policies[0]
    assert (policy.origin.kind, policy.origin.tier, policy.origin.priority) == ("AdminNetworkPolicy", "Admin", 4.0)
    (rule,) = policy.rules
    assert rule.action is Action.ALLOW and rule.origin.action_written == "Allow"
    got = [(p.port, p.end_port, p.protocol) for p in rule.ports or ()]
    assert got[:2] == [(80, None, Protocol.TCP), (5, 9, Protocol.UDP)]
    assert {p[0] for p in got[2:]} == {"dns"} and len(got) == 5


def test_baseline_admin_network_policy_is_baseline_and_after_baseline_cluster_network_policies() -> None:
    banp = BANP + "metadata: {name: default}\nspec:\n" + EVERY_NS + DENY_IN
    other = cnp("zz", "Baseline", 1000, EVERY_NS + "  ingress: [{action: Accept, from: [{namespaces: {}}]}]\n")
    (baseline,) = tiers(banp + "---\n" + other)
    assert [p.origin.name for p in baseline.policies] == ["zz", "default"]
    assert baseline.policies[1].origin.priority is None


def test_a_baseline_admin_network_policy_not_named_default_is_reported_and_dropped() -> None:
    # baselineadminnetworkpolicy_types.go: XValidation self.metadata.name == 'default'.
    text = BANP + "metadata: {name: baseline}\nspec:\n" + EVERY_NS + DENY_IN
    result = load_text(text, "t.yaml")
    assert [(p.rule, p.span.line) for p in result.problems] == [("NP706", 3)]
    assert result.cluster.tiers == ()


def test_invalid_objects_are_located_np002_and_dropped() -> None:
    good = cnp("good", "Admin", 1, EVERY_NS + DENY_IN)
    cases = [
        cnp("tier", "Middle", 1, EVERY_NS),  # Tier enum
        cnp("prio", "Admin", 1001, EVERY_NS),  # Maximum=1000
        cnp("act", "Admin", 1, EVERY_NS + DENY_IN.replace("Deny", "Allow")),  # v1alpha2 says Accept
        cnp("two", "Admin", 1, "  subject: {namespaces: {}, pods: {podSelector: {}}}\n"),  # MaxProperties=1
        cnp("cidr", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{networks: [10.0.0.300/8]}]}]\n"),  # isCIDR
        cnp("range", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{namespaces: {}}], "
            "protocols: [{tcp: {destinationPort: {range: {start: 9, end: 9}}}}]}]\n"),  # start < end
        cnp("named", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{networks: [10.0.0.0/8]}], "
            "protocols: [{destinationNamedPort: http}]}]\n"),  # no named ports with networks
        cnp("nodes", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{nodes: {}}], "
            "protocols: [{destinationNamedPort: http}]}]\n"),  # nor with nodes (the same CEL rule)
        cnp("tcp", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{namespaces: {}}], "
            "protocols: [{tcp: {}}]}]\n"),  # ClusterNetworkPolicyProtocolTCP: MinProperties=1
        cnp("both", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{namespaces: {}}], protocols: "
            "[{tcp: {destinationPort: {number: 1}}, udp: {destinationPort: {number: 1}}}]}]\n"),  # MaxProperties=1
        cnp("port", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{namespaces: {}}], protocols: "
            "[{udp: {destinationPort: {number: 1, range: {start: 2, end: 3}}}}]}]\n"),  # Port: MaxProperties=1
        cnp("peer", "Admin", 1, EVERY_NS + "  egress: [{action: Deny, to: [{}]}]\n"),  # peer MinProperties=1
        cnp("in", "Admin", 1, EVERY_NS + "  ingress: [{action: Deny, from: [{networks: [10.0.0.0/8]}]}]\n"),
        BANP + "metadata: {name: default}\nspec:\n" + EVERY_NS
        + "  ingress: [{action: Pass, from: [{namespaces: {}}]}]\n",  # v1alpha1 Baseline: Allow/Deny only
    ]  # fmt: skip
    for case in cases:
        result = load_text(good + "---\n" + case, "t.yaml")
        found = [(p.rule, p.span.line) for p in result.problems]
        assert found and all(rule == "NP002" and line > 9 for rule, line in found), (case, found)
        assert [p.origin.name for t in result.cluster.tiers for p in t.policies] == ["good"], case


def test_the_written_empty_ingress_list_does_not_govern_the_direction() -> None:
    body = EVERY_NS + "  ingress: []\n  egress: [{action: Pass, to: [{namespaces: {}}]}]\n"
    (admin,) = tiers(cnp("e", "Admin", 1, body))
    assert admin.policies[0].directions == (Direction.EGRESS,)


def test_a_cluster_without_admin_policies_has_no_tiers() -> None:
    assert tiers("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n") == ()


def test_unknown_versions_of_the_kinds_are_not_read_as_these() -> None:
    result = load_text(CNP.replace("v1alpha2", "v1beta9") + "metadata: {name: x}\nspec: {}\n", "t.yaml")
    assert result.cluster.tiers == ()




def test_nulls_that_the_api_server_prunes_leave_entries_empty_and_drop_the_object() -> None:
    # A null optional field passes the schema as "absent" (the API server prunes it), so an entry
    # may be left with no field at all: a located NP002, never a crash.
    head = EVERY_NS + "  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n"
    cases = [
        cnp("s", "Admin", 1, "  subject: {namespaces: null}\n"),
        cnp("p", "Admin", 1, EVERY_NS + "  ingress: [{action: Deny, from: [{namespaces: null}]}]\n"),
        cnp("n", "Admin", 1, head + "    protocols: [{tcp: {destinationPort: {number: null}}}]\n"),
        ANP + "metadata: {name: a}\nspec:\n  priority: 1\n" + head + "    ports: [{portNumber: null}]\n",
        CNP + "metadata: {name: x}\nspec: null\n",
    ]
    for case in cases:
        result = load_text(case, "t.yaml")
        assert [p.rule for p in result.problems] == ["NP002"] and result.problems[0].span.line > 1, case
        assert result.cluster.tiers == (), case
