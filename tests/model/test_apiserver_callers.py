"""Admission webhooks and aggregated APIs: Services the kube-apiserver calls from outside the pod network.

Sources:
- The Kubernetes v1.35.0 OpenAPI, ServiceReference.port of admissionregistration.k8s.io/v1 and
  apiregistration.k8s.io/v1: "Default to 443 for backward compatibility"; of apiextensions.k8s.io/v1:
  "Defaults to 443 for backward compatibility".
- Dynamic admission control, "Service reference": "`port` ... defaults to 443 for backwards
  compatibility" (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#service-reference);
  failurePolicy defaults to Fail in admissionregistration.k8s.io/v1 (same page, "Failure policy").
- APIService v1 ServiceReference: "port ... Defaults to 443 for backward compatibility"
  (https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/api-service-v1/).
- Network policies, "What you can't do with network policies": the API server's traffic and its
  source address depend on the cluster and the plugin, hence the `apiserver_cidrs` assumption
  (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policylint import api
from policylint.config import load_config
from policylint.config.settings import Config, RuleSetting
from policylint.load import load_text
from policylint.model.caller import ApiServerCall

ROOT = Path(__file__).resolve().parents[2]

WEBHOOK = (ROOT / "fixtures" / "webhooks" / "ipblock-only.yaml").read_text(encoding="utf-8")


def _lint(tmp_path: Path, text: str, config: Config | None = None) -> list[tuple[str, int, str]]:
    (tmp_path / "m.yaml").write_text(text)
    report = api.lint(str(tmp_path / "m.yaml"), (config or load_config(None)).only(["NP507", "NP301"]))
    return [(f.rule, f.span.line, f.message) for f in report.findings if f.rule in ("NP507", "NP301")]


def test_the_webhook_port_defaults_to_443_and_url_webhooks_name_no_service() -> None:
    loaded = load_text(WEBHOOK)
    assert not loaded.problems
    assert loaded.cluster.callers == (
        ApiServerCall("ValidatingWebhookConfiguration", "policy", "a.policy.example.com", "gate", "hook", 443,
                      "Ignore", loaded.cluster.callers[0].span),
    )  # fmt: skip
    assert loaded.cluster.callers[0].span.line == 10
    assert "ValidatingWebhookConfiguration" not in loaded.skipped_kinds


def test_an_unknown_field_in_a_webhook_configuration_is_located() -> None:
    loaded = load_text(WEBHOOK.replace("failurePolicy: Ignore", "failurePolicyy: Ignore"))
    assert [(p.rule, p.span.line) for p in loaded.problems] == [("NP002", 8)]
    assert "did you mean 'failurePolicy'" in loaded.problems[0].message


def test_an_ipblock_is_not_enough_while_the_apiserver_address_is_unknown(tmp_path: Path) -> None:
    found = _lint(tmp_path, WEBHOOK)
    assert [(rule, line) for rule, line, _ in found] == [("NP507", 10)]
    message = found[0][2]
    assert "target port 8443" in message and "gate/hook[Pod]" in message
    assert "the API server's address is unknown" in message and "failurePolicy Ignore" in message


def _with_ranges(ranges: list[str]) -> Config:
    config = load_config(None)
    rules = dict(config.rules)
    rules["NP507"] = RuleSetting(options={"apiserver_cidrs": ranges})
    return replace(config, rules=rules)


def test_a_configured_control_plane_range_inside_the_ipblock_is_admitted(tmp_path: Path) -> None:
    assert _lint(tmp_path, WEBHOOK, _with_ranges(["10.0.1.0/24"])) == []
    outside = _lint(tmp_path, WEBHOOK, _with_ranges(["10.0.1.0/24", "192.168.0.10/32"]))
    assert [(rule, line) for rule, line, _ in outside] == [("NP507", 10)]
    assert "assumed: the API server calls from 10.0.1.0/24, 192.168.0.10/32" in outside[0][2]


def test_a_rule_open_to_every_source_on_the_webhook_port_is_required_not_reported(tmp_path: Path) -> None:
    open_rule = WEBHOOK.replace("  - from: [{ipBlock: {cidr: 10.0.0.0/16}}]\n    ports: [{port: 8443}]",
                                "  - ports: [{port: 8443}]")  # fmt: skip
    assert _lint(tmp_path, open_rule) == []
    # Open on another port as well: broader than the API server needs, NP301 stays.
    wider = open_rule.replace("ports: [{port: 8443}]", "ports: [{port: 8443}, {port: 9000}]")
    found = _lint(tmp_path, wider)
    assert [(rule, line) for rule, line, _ in found] == [("NP301", 35)]  # the rule line
    assert "the kube-apiserver calls these pods on TCP 8443: keep only that open" in found[0][2]


def test_an_apiservice_whose_pods_are_isolated_is_unavailable(tmp_path: Path) -> None:
    text = """\
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {namespace: kube-system, name: metrics-server}
---
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec:
  selector: {k8s-app: metrics-server}
  ports: [{name: https, port: 443, targetPort: https}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-server, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: metrics-server}}
  template:
    metadata: {labels: {k8s-app: metrics-server}}
    spec: {containers: [{name: m, image: m, ports: [{name: https, containerPort: 10250}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: kube-system}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""
    found = _lint(tmp_path, text)
    assert [(rule, line) for rule, line, _ in found] == [("NP507", 9)]
    assert "target port 10250" in found[0][2] and "API group is unavailable" in found[0][2]


def test_the_fixture_rule_pages_cite_the_default_port() -> None:
    doc = (ROOT / "rules" / "np507_webhook_unreachable.py").read_text()
    assert "extensible-admission-controllers/#service-reference" in doc


def test_a_crd_conversion_webhook_is_called_by_the_apiserver_too(tmp_path: Path) -> None:
    # CustomResourceDefinition v1 spec.conversion.webhook.clientConfig: the same ServiceReference
    # (port defaults to 443), called when an object is read or written in another version
    # (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#webhook-conversion).
    text = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig:
        service: {namespace: w, name: conv}
---
apiVersion: v1
kind: Service
metadata: {name: conv, namespace: w}
spec: {selector: {app: conv}, ports: [{port: 443, targetPort: 9443}]}
---
apiVersion: v1
kind: Pod
metadata: {name: conv, namespace: w, labels: {app: conv}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: w}
spec: {podSelector: {}}
"""
    (call,) = load_text(text).cluster.callers
    assert (call.kind, call.webhook, call.port) == ("CustomResourceDefinition", "conversion", 443)
    found = _lint(tmp_path, text)
    assert [(rule, line) for rule, line, _ in found] == [("NP507", 14)]
    assert "target port 9443" in found[0][2] and "cannot be read or written" in found[0][2]
    # The default strategy (None) calls nothing.
    assert not load_text(text.replace("strategy: Webhook", "strategy: None")).cluster.callers


def test_an_ipblock_open_to_the_internet_on_the_webhook_port_only_is_required_not_np308(tmp_path: Path) -> None:
    # Kubeflow admits the API server to its webhooks as `ipBlock: 0.0.0.0/0` on the webhook port
    # (kubeflow/manifests common/networkpolicies): the address is unknown, so that is the rule needed.
    internet = WEBHOOK.replace("cidr: 10.0.0.0/16", "cidr: 0.0.0.0/0")
    (tmp_path / "m.yaml").write_text(internet)
    report = api.lint(str(tmp_path / "m.yaml"), load_config(None).only(["NP507", "NP308", "NP304"]))
    assert report.findings == []
    # Another port open to the internet on the same rule: broader than the API server needs.
    (tmp_path / "m.yaml").write_text(internet.replace("ports: [{port: 8443}]", "ports: [{port: 8443}, {port: 9000}]"))
    report = api.lint(str(tmp_path / "m.yaml"), load_config(None).only(["NP507", "NP308", "NP304"]))
    assert [(f.rule, f.span.line) for f in report.findings] == [("NP308", 35)]
