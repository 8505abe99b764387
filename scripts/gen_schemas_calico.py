"""Generate policylint/load/schemas/projectcalico.org-v3-*.json from Calico's published CRDs.

Source: the CustomResourceDefinitions in projectcalico/calico `api/config/crd/` (the
`projectcalico.org/v3` API that `kubectl` and `calicoctl` apply), read from a git checkout or
bare clone at the commit given. Each CRD's `openAPIV3Schema` becomes one self-contained JSON
Schema: descriptions dropped, `nullable: true` turned into a `"null"` type (null means absent,
as kubectl treats it), `x-kubernetes-*` markers kept (JSON Schema ignores them).

Profile has no CRD (the Calico API server serves it); its schema is assembled from the
GlobalNetworkPolicy rule schema (`ingress`/`egress` items) plus `labelsToApply`, the fields of
`ProfileSpec` in `api/pkg/apis/projectcalico/v3/profile.go`.

    python scripts/gen_schemas_calico.py --repo /path/to/calico [--commit HEAD]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

CRDS = {
    "NetworkPolicy": "networkpolicies",
    "GlobalNetworkPolicy": "globalnetworkpolicies",
    "Tier": "tiers",
    "NetworkSet": "networksets",
    "GlobalNetworkSet": "globalnetworksets",
    "StagedNetworkPolicy": "stagednetworkpolicies",
    "StagedGlobalNetworkPolicy": "stagedglobalnetworkpolicies",
    "StagedKubernetesNetworkPolicy": "stagedkubernetesnetworkpolicies",
}
OUT = Path(__file__).resolve().parent.parent / "policylint" / "load" / "schemas"


def show(repo: str, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", repo, "show", f"{commit}:{path}"], check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def convert(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: convert(v) for k, v in node.items() if k not in ("description", "nullable")}
        if node.get("nullable") and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [convert(v) for v in node]
    return node


def crd_schema(text: str, version: str) -> dict[str, Any]:
    crd = yaml.safe_load(text)
    served = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    schema: dict[str, Any] = convert(served["schema"]["openAPIV3Schema"])
    schema.pop("status", None)
    schema.get("properties", {}).pop("status", None)
    return schema


def profile_schema(policy: dict[str, Any]) -> dict[str, Any]:
    rules = policy["properties"]["spec"]["properties"]
    spec = {
        "type": "object",
        "properties": {
            "ingress": rules["ingress"],
            "egress": rules["egress"],
            "labelsToApply": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    return {"type": "object", "properties": {**policy["properties"], "spec": spec}}


def write(kind: str, schema: dict[str, Any], source: str) -> None:
    schema = {**schema, "x-calico-source": source}
    path = OUT / f"projectcalico.org-v3-{kind.lower()}.json"
    path.write_text(json.dumps(schema, separators=(",", ":"), sort_keys=True) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="a projectcalico/calico checkout or bare clone")
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args()
    commit = subprocess.run(["git", "-C", args.repo, "rev-parse", args.commit], check=True, capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    schemas = {}
    for kind, plural in CRDS.items():
        path = f"api/config/crd/projectcalico.org_{plural}.yaml"
        schemas[kind] = crd_schema(show(args.repo, commit, path), "v3")
        write(kind, schemas[kind], f"projectcalico/calico@{commit}:{path}")
    write("Profile", profile_schema(schemas["GlobalNetworkPolicy"]),
          f"projectcalico/calico@{commit}:api/pkg/apis/projectcalico/v3/profile.go")  # fmt: skip


if __name__ == "__main__":
    main()
