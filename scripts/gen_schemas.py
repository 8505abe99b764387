"""Generate policylint/load/schemas/*.json from the upstream Kubernetes OpenAPI schemas.

Source: the JSON schemas that the PyPI package `kubernetes-validate` ships, which are
generated from the Kubernetes OpenAPI (`api/openapi-spec`) of each release. Install it
only to run this script (`pip install kubernetes-validate`); it is not a runtime dependency.

Output: `definitions.json` (only the definitions reachable from the kinds we read, with
descriptions dropped) and one small `<kind>.json` per kind whose `$ref`s point into it.
Kubernetes version: KUBERNETES_VERSION below (the "local", non-strict variant: unknown
fields are allowed and null means absent, as kubectl treats them).

    python scripts/gen_schemas.py [--version v1.35.0]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

KUBERNETES_VERSION = "v1.35.0"
KINDS = {
    "Namespace": "namespace-v1.json",
    "Pod": "pod-v1.json",
    "ReplicationController": "replicationcontroller-v1.json",
    "Service": "service-v1.json",
    "Deployment": "deployment-apps-v1.json",
    "ReplicaSet": "replicaset-apps-v1.json",
    "StatefulSet": "statefulset-apps-v1.json",
    "DaemonSet": "daemonset-apps-v1.json",
    "Job": "job-batch-v1.json",
    "CronJob": "cronjob-batch-v1.json",
    "NetworkPolicy": "networkpolicy-networking-v1.json",
    "Ingress": "ingress-networking-v1.json",
    "IngressClass": "ingressclass-networking-v1.json",
    # Callers from outside the pod network: the kube-apiserver calls their Services (model/build_callers.py).
    "ValidatingWebhookConfiguration": "validatingwebhookconfiguration-admissionregistration-v1.json",
    "MutatingWebhookConfiguration": "mutatingwebhookconfiguration-admissionregistration-v1.json",
    "APIService": "apiservice-apiregistration-v1.json",
    "EndpointSlice": "endpointslice-discovery-v1.json",
    "Endpoints": "endpoints-v1.json",
}
OUT = Path(__file__).resolve().parent.parent / "policylint" / "load" / "schemas"
UPSTREAM_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/", "_definitions.json#/$defs/")


def upstream_dir(version: str) -> Path:
    import kubernetes_validate  # generation-time only

    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"{version}-local"


def strip(node: Any, refs: set[str]) -> Any:
    """Drop descriptions, rewrite $refs to `definitions.json#/$defs/NAME`, collect NAMEs."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "description":
                continue
            if key == "$ref" and isinstance(value, str):
                name = next((value[len(p) :] for p in UPSTREAM_PREFIXES if value.startswith(p)), None)
                if name is None:
                    raise SystemExit(f"unexpected $ref {value}")
                refs.add(name)
                out[key] = f"#/$defs/{name}"
                continue
            out[key] = strip(value, refs)
        return out
    if isinstance(node, list):
        return [strip(v, refs) for v in node]
    return node


def reachable(defs: dict[str, Any], roots: set[str]) -> dict[str, Any]:
    todo, out = sorted(roots), {}
    while todo:
        name = todo.pop()
        if name in out:
            continue
        refs: set[str] = set()
        out[name] = strip(defs[name], refs)
        todo.extend(sorted(refs - out.keys()))
    return dict(sorted(out.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=KUBERNETES_VERSION)
    args = parser.parse_args()
    src = upstream_dir(args.version)
    defs = json.loads((src / "_definitions.json").read_text())["$defs"]
    roots: set[str] = set()
    for kind, name in KINDS.items():
        schema = strip(json.loads((src / name).read_text()), roots)
        schema.pop("$schema", None)
        schema["x-kubernetes-version"] = args.version
        (OUT / f"{kind.lower()}.json").write_text(json.dumps(schema, separators=(",", ":"), sort_keys=True) + "\n")
    document = {"x-kubernetes-version": args.version, "$defs": reachable(defs, roots)}
    (OUT / "definitions.json").write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
