"""NP702 (a tier rule never reached) is exact: proven for every pod that could exist, with the
solver asked only when containment as written and the input's own workloads cannot decide.

Precedence, per the API reference (ClusterNetworkPolicySpec in
https://github.com/kubernetes-sigs/network-policy-api/blob/main/apis/v1alpha2/clusternetworkpolicy_types.go):
"Policies with lower priority values have higher precedence, and are checked before policies
with higher priority values in the same tier"; within a policy "a rule that appears at the top
... would take the highest precedence"; equal priorities: "the implementation can apply any of
the matching policies" (so they are never counted as earlier); Accept, Deny and Pass all end the
tier's evaluation for the connection they match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.engine.smt import SmtEngine, Undecided

HEAD = """apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: {name}}}
spec:
  tier: Admin
  priority: {priority}
  subject: {subject}
  egress:
"""
PROD = "{namespaces: {matchLabels: {env: prod}}}"
DENY_DB = "  - action: Deny\n    to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}]\n"
PASS_ALL = "  - action: Pass\n    to: [{namespaces: {}}]\n"
PODS = """apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: front, namespace: prod, labels: {tier: front}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db, tier: front}}
spec: {containers: [{name: c, image: i}]}
"""


def policy(name: str, priority: int, subject: str, *rules: str) -> str:
    return HEAD.format(name=name, priority=priority, subject=subject) + "".join(rules)


def np702(tmp_path: Path, *docs: str) -> list[tuple[int, str]]:
    path = tmp_path / "in.yaml"
    path.write_text("---\n".join(docs))
    r = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", "--enable", "NP702"])
    return [(f["line"], f["message"]) for f in json.loads(r.stdout)["findings"] if f["rule"] == "NP702"]


@pytest.fixture
def solver_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = SmtEngine.tier_rule_reached

    def counted(self: SmtEngine, *args: object) -> object:
        calls.append(1)
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SmtEngine, "tier_rule_reached", counted)
    return calls


def test_rules_together_cover_a_port_range_proven_by_the_solver(tmp_path: Path) -> None:
    def rule(action: str, peer: str, start: int, end: int) -> str:
        return (
            f"  - action: {action}\n    to: [{peer}]\n"
            f"    protocols: [{{tcp: {{destinationPort: {{range: {{start: {start}, end: {end}}}}}}}}}]\n"
        )

    doc = policy(
        "web",
        20,
        PROD,
        rule("Pass", "{namespaces: {}}", 1, 8079),
        rule("Accept", "{namespaces: {}}", 8080, 65535),
        rule("Deny", "{namespaces: {matchLabels: {team: blog}}}", 8000, 8100),
    )
    [(line, message)] = np702(tmp_path, doc)
    assert line == 15
    assert "for every pod that could exist" in message
    assert "egress rule 1 (Pass)" in message and "egress rule 2 (Accept)" in message


def test_two_earlier_policies_together_select_the_subject(tmp_path: Path) -> None:
    both = "{namespaces: {matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}}"
    docs = (
        policy("pass-prod", 30, PROD, PASS_ALL),
        policy("pass-staging", 31, "{namespaces: {matchLabels: {env: staging}}}", PASS_ALL),
        policy("late", 40, both, DENY_DB),
    )
    [(_, message)] = np702(tmp_path, *docs)
    assert "pass-prod" in message and "pass-staging" in message


def test_a_pod_that_could_exist_reaches_the_rule_though_every_input_pod_is_passed(
    tmp_path: Path, solver_calls: list[int]
) -> None:
    # Every pod of the input is tier=front, which pass-front passes first; a prod pod without
    # that label (none exists yet) is decided by the Deny, so the Deny is not dead.
    front = "{pods: {namespaceSelector: {matchLabels: {env: prod}}, podSelector: {matchLabels: {tier: front}}}}"
    assert np702(tmp_path, PODS, policy("pass-front", 30, front, PASS_ALL), policy("late", 40, PROD, DENY_DB)) == []
    assert solver_calls  # the input alone could not tell


def test_the_input_decides_without_the_solver(tmp_path: Path, solver_calls: list[int]) -> None:
    # The input's prod/front pod is not passed by pass-other (team=other only): a witness.
    other = "{namespaces: {matchLabels: {team: other}}}"
    assert np702(tmp_path, PODS, policy("pass-other", 30, other, PASS_ALL), policy("late", 40, PROD, DENY_DB)) == []
    assert solver_calls == []


def test_containment_as_written_decides_without_the_solver(tmp_path: Path, solver_calls: list[int]) -> None:
    [(_, message)] = np702(tmp_path, policy("early", 30, PROD, PASS_ALL), policy("late", 40, PROD, DENY_DB))
    assert "(as written)" in message and solver_calls == []


def test_an_equal_priority_is_not_earlier(tmp_path: Path) -> None:
    assert np702(tmp_path, policy("a", 40, PROD, PASS_ALL), policy("b", 40, PROD, DENY_DB)) == []


def test_a_rule_later_in_a_higher_number_policy_does_not_cover_an_earlier_one(tmp_path: Path) -> None:
    # Only precedence counts: the priority-40 Pass comes after the priority-30 Deny.
    assert np702(tmp_path, policy("a", 30, PROD, DENY_DB), policy("b", 40, PROD, PASS_ALL)) == []


def test_an_undecided_proof_is_said_not_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SmtEngine, "tier_rule_reached", lambda *a: Undecided("z3 returned unknown"))
    both = "{namespaces: {matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}}"
    docs = (policy("pass-prod", 30, PROD, PASS_ALL), policy("late", 40, both, DENY_DB))
    [(_, message)] = np702(tmp_path, *docs)
    assert message.startswith("could not decide whether egress rule 1 (Deny) of ClusterNetworkPolicy late")
