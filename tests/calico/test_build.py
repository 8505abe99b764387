"""Calico objects compiled into first-match tiers (policylint/model/build_calico.py).

Each case cites the Calico reference passage it follows (docs.tigera.io/calico/latest/reference/resources/...).
"""

from __future__ import annotations

from collections.abc import Callable

from policylint.load import LoadResult
from policylint.model.calico_staged import without_staged
from policylint.model.policy import Direction, Protocol
from policylint.model.rule_form import Action, Combine, Tier

Load = Callable[[str], LoadResult]
NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: a}}\n---\n"


def policy(kind: str, name: str, spec: str, namespace: str | None = "shop") -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata: {{name: {name}{ns}}}\nspec:\n{spec}---\n"


def tier(result: LoadResult, name: str) -> Tier:
    return next(t for t in result.cluster.tiers if t.name == name)


def test_built_in_tiers_and_their_order(load_yaml: Load) -> None:
    # tier.md / "Kubernetes network policy ... default tier"; Calico 3.32 kube-admin / kube-baseline tiers.
    result = load_yaml(NS + policy("NetworkPolicy", "p", "  selector: all()\n"))
    ranks = {t.name: t.rank for t in result.cluster.tiers}
    assert ranks == {"kube-admin": 1_000, "default": 1_000_000, "kube-baseline": 10_000_000}
    default = tier(result, "default")
    assert default.holds_network_policy and default.default_action is Action.DENY
    assert default.combine is Combine.FIRST_MATCH


def test_tiers_by_order_unset_last_and_default_action(load_yaml: Load) -> None:
    # tier.md: "If the order field is omitted, it may be considered to be infinite"; defaultAction Deny|Pass.
    text = NS + "".join(
        f"apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {{name: {n}}}\nspec: {s}\n---\n"
        for n, s in (("security", "{order: 100, defaultAction: Pass}"), ("late", "{}"))
    )
    result = load_yaml(text)
    assert tier(result, "security").rank == 100 and tier(result, "security").default_action is Action.PASS
    assert tier(result, "late").rank == float("inf") and tier(result, "late").default_action is Action.DENY


def test_policies_by_order_unset_last_ties_by_name(load_yaml: Load) -> None:
    # networkpolicy.md spec.order: "policies with the same order are applied in name order"; unset = last.
    text = NS + policy("NetworkPolicy", "b", "  order: 10\n") + policy("NetworkPolicy", "a", "  order: 10\n")
    text += policy("NetworkPolicy", "c", "  selector: all()\n") + policy("NetworkPolicy", "d", "  order: 5\n")
    names = [p.origin.name for p in tier(load_yaml(text), "default").policies]
    assert names == ["d", "a", "b", "c"]


def test_types_default_per_calico_not_kubernetes(load_yaml: Load) -> None:
    # networkpolicy.md spec.types: egress rules only -> Egress; both -> both; neither -> Ingress.
    egress_only = policy("NetworkPolicy", "e", "  egress:\n  - action: Allow\n")
    both = policy("NetworkPolicy", "b", "  ingress:\n  - action: Allow\n  egress:\n  - action: Allow\n")
    neither = policy("NetworkPolicy", "n", "  selector: all()\n")
    got = {p.origin.name: p.directions for p in tier(load_yaml(NS + egress_only + both + neither), "default").policies}
    assert got == {"e": (Direction.EGRESS,), "b": (Direction.INGRESS, Direction.EGRESS), "n": (Direction.INGRESS,)}


def test_rules_keep_order_action_ports_and_protocol(load_yaml: Load) -> None:
    # networkpolicy.md Rule: action Allow|Deny|Log|Pass; EntityRule ports: numbers, "lo:hi", names.
    spec = ("  ingress:\n  - action: Log\n  - action: Deny\n    protocol: UDP\n"
            "    destination: {ports: [53, '1000:2000', dns]}\n  - action: Pass\n")
    rules = tier(load_yaml(NS + policy("NetworkPolicy", "p", spec)), "default").policies[0].rules
    assert [r.action for r in rules] == [Action.LOG, Action.DENY, Action.PASS]
    ports = rules[1].ports or ()
    assert [(p.port, p.end_port, p.protocol) for p in ports] == [
        (53, None, Protocol.UDP), (1000, 2000, Protocol.UDP), ("dns", None, Protocol.UDP)]


def test_icmp_rule_matches_no_modelled_flow_and_says_so(load_yaml: Load) -> None:
    spec = "  ingress:\n  - action: Deny\n    protocol: ICMP\n"
    rule = tier(load_yaml(NS + policy("NetworkPolicy", "p", spec)), "default").policies[0].rules[0]
    assert rule.peers == () and rule.unmodelled == ("protocol 'ICMP'",)


def test_http_and_service_account_labels_are_named_as_unmodelled(load_yaml: Load) -> None:
    # Service account names are modelled (tests/calico/test_staged_and_accounts.py); an account's
    # own labels are not (ServiceAccount objects are not read).
    spec = ("  ingress:\n  - action: Allow\n    http: {methods: [GET]}\n"
            "    source: {serviceAccounts: {names: [api], selector: team == 'x'}}\n")
    rule = tier(load_yaml(NS + policy("NetworkPolicy", "p", spec)), "default").policies[0].rules[0]
    assert set(rule.unmodelled) == {"HTTP match", "serviceAccounts.selector on ServiceAccount labels (only "
                                    "projectcalico.org/name is known offline)"}


def test_namespaced_policy_selects_in_its_namespace(load_yaml: Load) -> None:
    # rules.go getEndpointSelector: a namespaced policy's selectors are ANDed with its namespace.
    spec = "  selector: app == 'web'\n  ingress:\n  - action: Allow\n    source: {selector: app == 'api'}\n"
    p = tier(load_yaml(NS + policy("NetworkPolicy", "p", spec)), "default").policies[0]
    (scope,) = p.subject
    assert str(scope.namespace_selector) == "{kubernetes.io/metadata.name in (shop)}"
    (peer,) = p.rules[0].peers
    assert peer.pods is not None and str(peer.pods.namespace_selector) == "{kubernetes.io/metadata.name in (shop)}"


def test_global_policy_namespace_selector_and_projectcalico_name(load_yaml: Load) -> None:
    # globalnetworkpolicy.md namespaceSelector; projectcalico.org/name is the namespace's name label.
    spec = ("  namespaceSelector: projectcalico.org/name == 'shop'\n  egress:\n  - action: Allow\n"
            "    destination: {namespaceSelector: team == 'a'}\n")
    p = tier(load_yaml(NS + policy("GlobalNetworkPolicy", "g", spec, None)), "default").policies[0]
    assert str(p.subject[0].namespace_selector) == "{kubernetes.io/metadata.name in (shop)}"
    assert str(p.rules[0].peers[0].pods.namespace_selector) == "{team in (a)}"  # type: ignore[union-attr]


def test_not_selector_alone_in_a_global_policy_still_matches_external_addresses(load_yaml: Load) -> None:
    # networkpolicy.md EntityRule: notSelector is a negative match; with no selector every other address matches.
    spec = "  ingress:\n  - action: Deny\n    source: {notSelector: has(trusted)}\n"
    peers = tier(load_yaml(NS + policy("GlobalNetworkPolicy", "g", spec, None)), "default").policies[0].rules[0].peers
    assert any(m.external_only for m in peers)
    assert any(m.pods is not None and str(m.pods.pods) == "{!trusted}" for m in peers)


def test_selector_matching_a_network_set_selects_its_nets(load_yaml: Load) -> None:
    # globalnetworkset.md: "a GlobalNetworkSet ... can be matched by selectors in policy rules".
    gns = ("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: bad, labels: {feed: bad}}\n"
           "spec: {nets: [198.51.100.0/24]}\n---\n")
    spec = "  ingress:\n  - action: Deny\n    source: {selector: feed == 'bad'}\n"
    result = load_yaml(NS + gns + policy("GlobalNetworkPolicy", "g", spec, None))
    peers = tier(result, "default").policies[0].rules[0].peers
    nets = [str(b.network) for m in peers for b in m.networks or ()]
    assert nets == ["198.51.100.0/24"]


def test_staged_policies_are_read_but_never_enforced(load_yaml: Load) -> None:
    # stagednetworkpolicy.md: staged policies do not enforce.
    result = load_yaml(NS + policy("StagedNetworkPolicy", "s", "  selector: all()\n"))
    assert [p.origin.kind for p in tier(result, "default").policies] == ["StagedNetworkPolicy"]
    enforced = without_staged(result.cluster)
    assert next(t for t in enforced.tiers if t.name == "default").policies == ()


def test_bad_selector_and_unknown_tier_are_located_findings(load_yaml: Load) -> None:
    bad = policy("NetworkPolicy", "p", "  selector: app = 'x'\n") + policy("NetworkPolicy", "q", "  tier: nope\n")
    result = load_yaml(NS + bad)
    messages = {(p.rule, p.span.line) for p in result.problems}
    assert ("NP002", 9) in messages and ("NP002", 15) in messages
    assert tier(result, "default").policies == ()


def test_schema_rejects_an_unknown_action(load_yaml: Load) -> None:
    result = load_yaml(NS + policy("NetworkPolicy", "p", "  ingress:\n  - action: Accept\n"))
    assert any(p.rule == "NP002" and "action" in p.message for p in result.problems)
