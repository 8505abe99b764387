"""A namespace whose workloads mostly share a connection is one grouped line even when several
of them differ ("every workload in namespace a except ..."), exact and expandable: on the dense
bench cluster a limit of 3 exceptions left 1.09 M lines of 1.24 M pairs (bench/RESULTS.md)."""

from __future__ import annotations

from pathlib import Path

from policylint import api
from policylint.queries.grouping import Group, expand, group_rows

POD = """---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}
spec: {{containers: [{{name: c, image: i}}]}}
"""
# Six of a's ten workloads may send; the four selected here may not (no egress rule).
CLOSED = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: closed, namespace: a}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [p0, p1, p2, p3]}]}
  policyTypes: [Egress]
"""


def test_six_of_ten_sources_are_one_line_with_four_exceptions(tmp_path: Path) -> None:
    text = "".join(POD.format(name=f"p{i}", ns="a") for i in range(10)) + POD.format(name="x", ns="b") + CLOSED
    (tmp_path / "c.yaml").write_text(text)
    m = api.matrix(str(tmp_path / "c.yaml"))
    x = next(i for i, w in enumerate(m.evaluator.workloads) if w.name == "x")
    rows = [c for c in m.connections if c.dst == x and isinstance(c.src, int)]  # pods to x
    [line] = group_rows(m.evaluator, rows)
    assert line.src == Group("a", tuple(f"p{i}[Pod]" for i in range(4)))
    assert sorted(c.src for c in expand(m.evaluator, line)) == sorted(c.src for c in rows)
    assert len(rows) == 6
