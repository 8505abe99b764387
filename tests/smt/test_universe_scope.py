"""Each symbolic question is encoded over the labels of the policies that can change its answer,
not over every selector of the run (docs/security.md, "Symbolic work is bounded").

One policy whose podSelector is too large to encode must leave undecided only the questions about
its own namespace; a question in another namespace is decided as if the huge policy were absent.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policylint import api
from policylint.config import load_config
from policylint.engine.connset import ConnSet
from policylint.engine.smt import Pods, SmtEngine, Undecided, Witness
from policylint.findings import Finding
from policylint.model import Protocol

# 6,000 keys need 48,000 terms of variables alone, over the 40,000 a 200 ms question may build
# (TERMS_PER_SECOND in engine/smt/solve.py): the huge policy cannot be encoded at all.
HUGE_KEYS = 6_000
TIMEOUT_MS = 200


def _policy(name: str, namespace: str, selector: str, ingress: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec: {{podSelector: {selector}, ingress: {ingress}}}\n"
    )


def _pod(name: str, namespace: str, labels: str) -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {namespace}, labels: {labels}}}\n"


# Rule 1 admits app=a, rule 2 app in (a, b): rule 1 is shadowed, which only the solver proves
# (the rules are not identical). The same pair sits in the huge namespace and in `shop`.
RULES = (
    "[{from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [a]}]}}]},"
    " {from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [a, b]}]}}]}]"
)
CONTRADICTION = (
    "{matchExpressions: [{key: app, operator: In, values: [web]}, {key: app, operator: NotIn, values: [web]}]}"
)


def _write(folder: Path) -> Path:
    labels = "{" + ", ".join(f"l{i}: v" for i in range(HUGE_KEYS)) + "}"
    docs = [
        _policy("huge", "big", f"{{matchLabels: {labels}}}", RULES),
        _pod("giant", "big", labels),
        _policy("web", "shop", "{matchLabels: {app: web}}", RULES),
        _policy("never", "shop", CONTRADICTION, "[{}]"),
        _pod("web", "shop", "{app: web}"),
    ]
    (folder / "all.yaml").write_text("---\n".join(docs), encoding="utf-8")
    return folder


def _messages(findings: list[Finding], rule: str, policy: str) -> list[str]:
    return [f.message for f in findings if f.rule == rule and policy in f.message]


def test_a_huge_selector_leaves_only_its_own_namespace_undecided(tmp_path: Path) -> None:
    config = replace(load_config(None), smt_timeout_ms=TIMEOUT_MS)
    findings = list(api.lint(str(_write(tmp_path)), config).findings)
    # The huge namespace: honestly undecided, never reported as shadowed.
    huge = _messages(findings, "NP401", "big/huge")
    assert huge and all(m.startswith("could not decide") and "exceed" in m for m in huge), huge
    # Another namespace: proved over every pod, as without the huge policy.
    shop = _messages(findings, "NP401", "shop/web")
    assert len(shop) == 1 and "is shadowed for every possible pod" in shop[0], shop
    never = _messages(findings, "NP201", "shop/never")
    assert len(never) == 1 and "matches no pod that could exist in namespace shop" in never[0], never


def test_the_answers_far_from_the_huge_selector_are_the_answers_without_it(tmp_path: Path) -> None:
    # Same input with and without the huge policy: the questions about `shop` get the same answers
    # (witness included), and the huge one alone is undecided.
    cluster = api.load(str(_write(tmp_path))).loaded.cluster
    small = replace(cluster, policies=tuple(p for p in cluster.policies if p.name != "huge"))
    web = next(i for i, w in enumerate(cluster.workloads) if w.name == "web")
    giant = next(i for i, w in enumerate(cluster.workloads) if w.name == "giant")
    http = ConnSet.single(Protocol.TCP, 80)
    answers = []
    for c in (cluster, small):
        engine = SmtEngine(c, timeout_ms=TIMEOUT_MS)
        answers.append((engine.find(Pods(namespace="shop"), web, http), engine.find(Pods(), web, http)))
    assert answers[0] == answers[1]
    assert all(isinstance(a, Witness) for a in answers[0])
    assert isinstance(SmtEngine(cluster, timeout_ms=TIMEOUT_MS).find(Pods(), giant, http), Undecided)
