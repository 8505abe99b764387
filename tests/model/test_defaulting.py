"""Fields the API server defaults are modelled as defaulted, not as errors.

- `spec.podSelector` omitted is `{}`, all pods of the namespace: the field is `+optional`
  (kubernetes staging/src/k8s.io/api/networking/v1/types.go) and kubernetes/kubernetes#131354
  made the API reference say so.
- A NetworkPolicy without `spec` is stored with the zero spec, then SetDefaults_NetworkPolicySpec
  (pkg/apis/networking/v1/defaults.go) sets policyTypes [Ingress]: every pod is isolated for ingress.
- policyTypes `[]` is defaulted like an omitted one (same function: `len(PolicyTypes) == 0`).
"""

from __future__ import annotations

from policylint.load import load_text
from policylint.model.policy import Direction

POD = """\
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: demo, labels: {app: api}}
spec: {containers: [{name: a, image: x}]}
"""


def _policy(spec: str) -> str:
    return f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: demo}}\n{spec}"


def test_omitted_pod_selector_selects_every_pod() -> None:
    result = load_text(_policy("spec: {policyTypes: [Ingress]}\n") + POD)
    assert result.problems == []
    [policy] = result.cluster.policies
    assert policy.pod_selector.is_empty
    assert policy.policy_types == (Direction.INGRESS,)


def test_missing_spec_is_the_defaulted_empty_spec() -> None:
    for spec in ("", "spec:\n", "spec: {}\n", "spec: {policyTypes: []}\n"):
        result = load_text(_policy(spec) + POD)
        assert result.problems == [], spec
        [policy] = result.cluster.policies
        assert policy.pod_selector.is_empty and policy.policy_types == (Direction.INGRESS,)
        assert policy.ingress is None and policy.egress is None
