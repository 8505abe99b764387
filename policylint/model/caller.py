"""Services the kube-apiserver itself calls: admission webhooks and aggregated APIs.

The API server is no pod: it calls these Services from outside the pod network (its own node or
a managed control plane), so the backends' ingress policies must admit it on the webhook port.
Read by model/build_callers.py; checked by NP507 and exempted from NP301 (queries/apiserver.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from policylint.findings import NO_SPAN, Span

# ServiceReference.port of admissionregistration.k8s.io/v1, apiregistration.k8s.io/v1 and
# apiextensions.k8s.io/v1 (OpenAPI v1.35.0): "Default(s) to 443 for backward compatibility".
DEFAULT_PORT = 443


@dataclass(frozen=True, slots=True)
class ApiServerCall:
    kind: str  # ValidatingWebhookConfiguration, MutatingWebhookConfiguration, APIService, CustomResourceDefinition
    name: str  # the configuration's (or APIService's) name
    webhook: str | None  # the webhook's name inside a configuration
    namespace: str  # the Service's namespace
    service: str
    port: int  # a Service port number
    failure_policy: str = "Fail"  # webhooks: Fail (default) or Ignore; APIService: every request fails
    span: Span = NO_SPAN  # the `service:` reference

    @property
    def ref(self) -> str:
        hook = f" webhook {self.webhook}" if self.webhook else ""
        return f"{self.kind} {self.name}{hook}"
