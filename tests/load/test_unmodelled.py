"""Kinds that change connectivity but are not modelled are named, once per kind (NP801).

A kind of another API group is not an old version of a core kind: `crd.antrea.io` NetworkPolicy
is Antrea's own resource (https://antrea.io/docs/main/docs/antrea-network-policy/), so NP003's
"use networking.k8s.io/v1" advice would be wrong for it.
"""

from __future__ import annotations

import pytest

from policylint.findings import Span
from policylint.load import load_text
from policylint.load.kinds import DIALECT_KINDS
from policylint.load.unmodelled import UNMODELLED, unmodelled

TEXT = """\
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: c, namespace: demo}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny, namespace: demo}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny2, namespace: demo}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: r, namespace: demo}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: demo}
"""


def test_each_unmodelled_kind_is_named_once_at_its_first_object() -> None:
    result = load_text(TEXT, "x.yaml")
    got = [(p.rule, p.span.line, p.message.split(" not modelled")[0]) for p in result.problems]
    assert got == [
        ("NP801", 1, "1 NetworkPolicy (crd.antrea.io/v1beta1) object(s)"),
        ("NP801", 6, "2 AuthorizationPolicy (security.istio.io/v1) object(s)"),
        ("NP801", 14, "1 AuthorizationPolicy (policy.linkerd.io/v1alpha1) object(s)"),
    ]
    assert result.cluster.policies == ()


def test_a_retired_version_of_the_same_group_is_still_np003() -> None:
    text = "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {}\n"
    assert [p.rule for p in load_text(text).problems] == ["NP003"]


def test_a_kind_a_dialect_reads_drops_off_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    skipped = {("cilium.io/v2alpha1", "CiliumNetworkPolicy"): (Span("f", 1, 1), 1)}
    assert [u.kind for u in unmodelled(skipped)] == ["CiliumNetworkPolicy"]
    monkeypatch.setitem(DIALECT_KINDS, "cilium.io/v2alpha1", frozenset({"CiliumNetworkPolicy"}))
    assert unmodelled(skipped) == []


def test_the_list_names_the_kinds_of_the_issue() -> None:
    kinds = {(g, k) for g, ks in UNMODELLED.items() for k in ks}
    assert {("cilium.io", "CiliumNetworkPolicy"), ("projectcalico.org", "GlobalNetworkPolicy"),
            ("policy.networking.k8s.io", "AdminNetworkPolicy"), ("policy.networking.k8s.io", "ClusterNetworkPolicy"),
            ("security.istio.io", "AuthorizationPolicy"), ("networking.k8s.io", "Ingress"),
            ("gateway.networking.k8s.io", "HTTPRoute")} <= kinds  # fmt: skip
