"""ValidatingWebhookConfiguration, MutatingWebhookConfiguration (admissionregistration.k8s.io/v1),
APIService (apiregistration.k8s.io/v1) and a CustomResourceDefinition's conversion webhook
(apiextensions.k8s.io/v1) -> the Services the kube-apiserver calls (model/caller.py).

A webhook with `clientConfig.url` calls an address outside the cluster's Services, and an
APIService without `spec.service` is served by the API server itself: neither names a Service.
Wrong types are NP002 problems at their line and drop that reference only.
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.load.fields import Reader, Skip
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_meta import metadata
from policylint.model.caller import DEFAULT_PORT, ApiServerCall

WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
CRD = "CustomResourceDefinition"
CALLER_KINDS = (*WEBHOOK_KINDS, "APIService", CRD)


def build_callers(r: Reader, objects: Sequence[LMap]) -> tuple[ApiServerCall, ...]:
    out: list[ApiServerCall] = []
    for doc in objects:
        kind = str(doc.get("kind"))
        if kind not in CALLER_KINDS:
            continue
        try:
            name = metadata(r, doc, kind, "default").name  # cluster-scoped: the namespace is not used
            if kind == CRD:
                out.extend(_conversion(r, doc, name))
                continue
            if kind == "APIService":
                spec = r.field(doc, "spec", LMap, kind, skip=False)
                call = _service(r, spec, "service", f"{kind}.spec", (kind, name, None, "Fail"))
                out.extend([call] if call else [])
                continue
            hooks = r.field(doc, "webhooks", LSeq, kind, skip=False)
            for i, hook in enumerate(hooks or ()):
                if not isinstance(hook, LMap):
                    continue  # reported by schema validation
                path = f"webhooks[{i}]"
                hook_name = r.field(hook, "name", str, path, skip=False)
                failure = r.field(hook, "failurePolicy", str, path, skip=False) or "Fail"
                client = r.field(hook, "clientConfig", LMap, path, skip=False)
                call = _service(r, client, "service", f"{path}.clientConfig", (kind, name, hook_name, failure))
                out.extend([call] if call else [])
        except Skip:
            continue
    return tuple(out)


def _conversion(r: Reader, doc: LMap, name: str) -> list[ApiServerCall]:
    """A CRD's conversion webhook (spec.conversion.webhook.clientConfig, strategy Webhook): the API
    server calls it to convert objects between versions; when it fails, they cannot be served."""
    spec = r.field(doc, "spec", LMap, CRD, skip=False)
    conversion = r.field(spec, "conversion", LMap, "spec", skip=False) if spec is not None else None
    if conversion is None or conversion.get("strategy") != "Webhook":
        return []
    hook = r.field(conversion, "webhook", LMap, "spec.conversion", skip=False)
    client = r.field(hook, "clientConfig", LMap, "spec.conversion.webhook", skip=False) if hook is not None else None
    call = _service(r, client, "service", "spec.conversion.webhook.clientConfig", (CRD, name, "conversion", "Fail"))
    return [call] if call else []


def _service(r: Reader, parent: LMap | None, key: str, path: str,
             who: tuple[str, str, str | None, str]) -> ApiServerCall | None:  # fmt: skip
    ref = r.field(parent, key, LMap, path, skip=False) if parent is not None else None
    if ref is None or parent is None:
        return None
    here = f"{path}.{key}"
    namespace = r.field(ref, "namespace", str, here, skip=False)
    service = r.field(ref, "name", str, here, skip=False)
    port = r.field(ref, "port", int, here, skip=False)
    if not namespace or not service:
        r.bad(parent.value_span(key), here, "needs 'namespace' and 'name'")
        return None
    kind, name, hook, failure = who
    return ApiServerCall(kind, name, hook, namespace, service, port or DEFAULT_PORT, failure, parent.key_span(key))
