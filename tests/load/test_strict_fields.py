"""Unknown fields are reported where written, with the intended field, and the object is left out.

kubectl apply asks the API server for strict field validation by default since 1.27 (KEP-2885;
kubernetes/staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go GetValidationDirective), so an
object with an unknown field is rejected and never exists in the cluster.
"""

from __future__ import annotations

from policylint.load import load_text

TYPO = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: demo}
spec:
  podSelector: {app: api}
  policyTypes: [Ingress]
"""


def test_labels_without_matchlabels_are_an_error_with_the_intended_field() -> None:
    result = load_text(TYPO, "np.yaml")
    [problem] = [p for p in result.problems if p.rule == "NP002"]
    assert (problem.span.line, problem.span.column) == (5, 17)
    assert "did you mean matchLabels: {app: api}?" in problem.message
    assert "rejects" in problem.message
    assert result.cluster.policies == ()  # not modelled as `{}` (allow-all selection)


def test_misspelt_key_in_a_workload_gets_the_close_field() -> None:
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: demo}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {lables: {app: api}}
    spec: {containers: [{name: a, image: x}]}
"""
    result = load_text(text, "d.yaml")
    [problem] = [p for p in result.problems if p.rule == "NP002"]
    assert problem.span.line == 7
    assert "did you mean 'labels'?" in problem.message
    assert result.cluster.workloads == ()


def test_maps_and_free_form_fields_are_not_unknown() -> None:
    text = """\
apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: demo
  labels: {anything: goes}
  annotations: {a.b/c: d}
  managedFields: [{manager: kubectl, fieldsV1: {"f:spec": {}}}]
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
"""
    result = load_text(text, "s.yaml")
    assert result.problems == []
    assert len(result.cluster.services) == 1
