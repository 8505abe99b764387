"""Issue 12 point 7: a claim that something is unreachable or that a selector matches nothing must
hold for every pod that could exist (z3 proves it: then a warning), or say that the only admitted
sources / matching pods lie outside the input (then an info).

A repository seldom holds the whole cluster: "Targeting a Namespace by its name" (NetworkPolicy
docs, https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name)
selects a namespace by `kubernetes.io/metadata.name`, which the control plane sets on every
namespace, whether or not its manifest is in the repository.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policylint.config import Config, load_config
from policylint.findings import Finding, Report, Severity

LintFile = Callable[[Path, Config], Report]

WEB = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: store}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: store}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
"""


def policy(spec: str, name: str = "p", namespace: str = "store") -> str:
    head = f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {namespace}}}"
    return f"{head}\nspec:\n{spec}---\n"


def lint(tmp_path: Path, lint_file: LintFile, text: str, rule: str) -> list[Finding]:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    return [f for f in lint_file(path, load_config(None)).findings if f.rule == rule]


FROM_INGRESS_NGINX = policy("""  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
    ports: [{port: PORT}]
""")


# -- NP502 -----------------------------------------------------------------------------------------


def test_service_admitting_a_namespace_outside_the_input_is_reachable(tmp_path: Path, lint_file: LintFile) -> None:
    # The classic false positive: ingress-nginx is not in the repository, but a pod there reaches web.
    found = lint(tmp_path, lint_file, WEB + FROM_INGRESS_NGINX.replace("PORT", "8080"), "NP502")
    assert [(f.severity, f.span.line) for f in found] == [(Severity.INFO, 15)]  # the Service port
    assert "admits only sources outside the input: pods in namespaces labelled " in found[0].message
    assert "kubernetes.io/metadata.name=ingress-nginx, which is not in the input" in found[0].message
    assert "is unreachable on" not in found[0].message


def test_service_no_pod_could_reach_stays_a_warning(tmp_path: Path, lint_file: LintFile) -> None:
    # The rule admits the Service port (80), not the pod port the Service sends to (8080): policies
    # see the pod port (https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service).
    found = lint(tmp_path, lint_file, WEB + FROM_INGRESS_NGINX.replace("PORT", "80"), "NP502")
    assert [(f.severity, f.span.line) for f in found] == [(Severity.WARNING, 15)]
    assert "admit no pod, in the input or not, and no external address" in found[0].message


def test_service_admitting_absent_pods_of_its_own_namespace_names_them(tmp_path: Path, lint_file: LintFile) -> None:
    text = WEB + policy("""  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
""")
    found = lint(tmp_path, lint_file, text, "NP502")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "pods labelled {app=client} in namespace store" in found[0].message


def test_clients_blocked_by_a_namespace_wide_egress_deny_is_proved(tmp_path: Path, lint_file: LintFile) -> None:
    # Any pod that could be created in `store` is selected by the `podSelector: {}` deny too.
    text = WEB + policy("""  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {}}]
""") + policy("  podSelector: {}\n  policyTypes: [Egress]\n", name="deny")
    found = lint(tmp_path, lint_file, text, "NP502")
    assert [f.severity for f in found] == [Severity.WARNING]


# -- NP201 / NP202 / NP203 -------------------------------------------------------------------------


def test_contradictory_pod_selector_is_a_warning(tmp_path: Path, lint_file: LintFile) -> None:
    # matchLabels and matchExpressions are ANDed (LabelSelector, API reference): no pod matches both.
    text = WEB + policy("""  podSelector:
    matchLabels: {app: api}
    matchExpressions: [{key: app, operator: NotIn, values: [api]}]
  policyTypes: [Ingress]
""")
    found = lint(tmp_path, lint_file, text, "NP201")
    assert [f.severity for f in found] == [Severity.WARNING]
    assert "matches no pod that could exist in namespace store" in found[0].message


def test_controller_set_value_gets_no_rename_suggestion(tmp_path: Path, lint_file: LintFile) -> None:
    # pod-template-hash is written by the Deployment controller at run time
    # (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label).
    text = WEB + policy("""  podSelector: {matchLabels: {pod-template-hash: 7d4b9c8f5}}
  policyTypes: [Ingress]
""")
    found = lint(tmp_path, lint_file, text, "NP201")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "names a value of pod-template-hash, which a controller sets on pods at run time" in found[0].message
    assert "did you mean" not in found[0].message


def test_replica_name_beyond_the_input_replicas_is_not_a_typo(tmp_path: Path, lint_file: LintFile) -> None:
    # statefulset.kubernetes.io/pod-name is set per replica (StatefulSet docs, "Pod Name Label");
    # web-5 exists once the StatefulSet is scaled: not a typo of web-0.
    text = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: store}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
""" + policy("""  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: web-5}}
  policyTypes: [Ingress]
""")
    found = lint(tmp_path, lint_file, text, "NP201")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "did you mean" not in found[0].message


def test_near_miss_stays_a_warning_said_of_the_input(tmp_path: Path, lint_file: LintFile) -> None:
    # The input shows the likely intended label: a typo, worded as a claim about the input only.
    text = WEB + policy("  podSelector: {matchLabels: {app: wbe}}\n  policyTypes: [Ingress]\n")
    found = lint(tmp_path, lint_file, text, "NP201")
    assert [f.severity for f in found] == [Severity.WARNING]
    assert found[0].message.endswith("only pods outside it; did you mean `app: web`?")


def namespace_peer(name: str) -> str:
    return policy(f"""  podSelector: {{matchLabels: {{app: web}}}}
  ingress:
  - from: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {name}}}}}}}]
""")


MONITOR = """apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: monitor, labels: {app: agent}}
spec: {containers: [{name: c, image: x}]}
---
"""


def test_well_known_namespace_is_a_reference_not_a_typo(tmp_path: Path, lint_file: LintFile) -> None:
    # `monitoring` is close to the input's `monitor`, but it is a namespace most clusters have.
    assert lint(tmp_path, lint_file, WEB + MONITOR + namespace_peer("monitoring"), "NP202") == []


def test_near_miss_of_an_unknown_namespace_is_said_of_the_input(tmp_path: Path, lint_file: LintFile) -> None:
    found = lint(tmp_path, lint_file, WEB + MONITOR + namespace_peer("monitr"), "NP202")
    assert [f.severity for f in found] == [Severity.WARNING]
    assert "did you mean `kubernetes.io/metadata.name: monitor`?" in found[0].message
    assert "matches no namespace of the input, only namespaces outside it" in found[0].message


def test_pod_peer_matching_only_pods_outside_the_input_is_an_info(tmp_path: Path, lint_file: LintFile) -> None:
    text = WEB + policy("""  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}}]
""")
    found = lint(tmp_path, lint_file, text, "NP202")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "matches no workload of the input in namespace store, only pods outside it" in found[0].message


def test_name_label_is_a_warning_only_when_the_namespace_manifest_shows_it_missing(
    tmp_path: Path, lint_file: LintFile
) -> None:
    peer = policy("""  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {name: monitoring}}}]
""")
    other = "apiVersion: v1\nkind: Namespace\nmetadata: {name: store}\n---\n"
    found = lint(tmp_path, lint_file, WEB + other + peer, "NP203")
    # monitoring's labels are not in the input: a namespace named so may carry `name: monitoring`.
    assert [f.severity for f in found] == [Severity.INFO]
    shown = "apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n---\n"
    found = lint(tmp_path, lint_file, WEB + other + shown + peer, "NP203")
    assert [f.severity for f in found] == [Severity.WARNING]
    assert "namespace monitoring, defined in the input without it, does not match" in found[0].message


# -- NP501 -----------------------------------------------------------------------------------------


def test_dns_reachable_only_if_kube_system_carries_a_label_the_input_cannot_show(
    tmp_path: Path, lint_file: LintFile
) -> None:
    text = WEB + policy("""  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {name: kube-system}}}]
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
""")
    found = lint(tmp_path, lint_file, text, "NP501")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "namespace kube-system (not in the input, labelled name=kube-system)" in found[0].message


def test_default_deny_egress_without_dns_rule_stays_a_warning(tmp_path: Path, lint_file: LintFile) -> None:
    text = WEB + policy("""  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
""")
    assert [f.severity for f in lint(tmp_path, lint_file, text, "NP501")] == [Severity.WARNING]


# -- NP521 -----------------------------------------------------------------------------------------

INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: store}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
"""


def test_backend_admitting_an_absent_controller_namespace_is_an_info(tmp_path: Path, lint_file: LintFile) -> None:
    text = WEB + FROM_INGRESS_NGINX.replace("PORT", "8080") + INGRESS
    found = lint(tmp_path, lint_file, text, "NP521")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "kubernetes.io/metadata.name=ingress-nginx, which is not in the input" in found[0].message
    # Admitting only the Service port: no pod anywhere gets through, the controller neither.
    found = lint(tmp_path, lint_file, WEB + FROM_INGRESS_NGINX.replace("PORT", "80") + INGRESS, "NP521")
    assert [f.severity for f in found] == [Severity.WARNING]


def test_related_name_is_not_a_typo(tmp_path: Path, lint_file: LintFile) -> None:
    # kube-prometheus: `app.kubernetes.io/name: prometheus` names the pods the Prometheus Operator
    # creates; the input's `prometheus-adapter` is another component, so renaming would break it.
    text = """apiVersion: v1
kind: Pod
metadata: {name: adapter, namespace: monitoring, labels: {app.kubernetes.io/name: prometheus-adapter}}
spec: {containers: [{name: c, image: x}]}
---
""" + policy("""  podSelector: {matchLabels: {app.kubernetes.io/name: prometheus-adapter}}
  ingress:
  - from: [{podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}}]
""", namespace="monitoring")
    found = lint(tmp_path, lint_file, text, "NP202")
    assert [f.severity for f in found] == [Severity.INFO]
    assert "did you mean" not in found[0].message
