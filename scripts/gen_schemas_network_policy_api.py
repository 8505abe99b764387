"""Generate the JSON schemas of the network-policy-api kinds from their upstream CRDs.

Source: the CustomResourceDefinitions of kubernetes-sigs/network-policy-api, experimental
channel (a superset of the standard one: it adds `namedPort`, `nodes` and `domainNames`, which
clusters running that channel accept), at the releases pinned in RELEASES below:

- v0.1.7 (the last with v1alpha1): AdminNetworkPolicy, BaselineAdminNetworkPolicy;
- v0.2.0: ClusterNetworkPolicy (v1alpha2).

Read them from a clone of the repository (`git clone https://github.com/kubernetes-sigs/network-policy-api`)
or any bare git directory of it:

    python scripts/gen_schemas_network_policy_api.py --git-dir PATH/network-policy-api/.git

Output: policylint/load/schemas/policy.networking.k8s.io-<version>-<kind>.json (see
load/validate.py: schema_file), self-contained. The CRD's openAPIV3Schema is kept as written
except: descriptions and `status` are dropped, `x-kubernetes-validations` (CEL rules, which
jsonschema cannot run; the builders check the ones that matter) are dropped, and optional
(not required) fields accept null, as the API server prunes nulls of non-nullable CRD fields before it
validates, and fields with a `default` are not required, as it defaults them first.
apiVersion and kind are pinned to the version and kind of the file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

GROUP = "policy.networking.k8s.io"
# release tag -> (CRD file in config/crd/experimental, kind, version served)
RELEASES: tuple[tuple[str, str, str, str], ...] = (
    ("v0.1.7", f"{GROUP}_adminnetworkpolicies.yaml", "AdminNetworkPolicy", "v1alpha1"),
    ("v0.1.7", f"{GROUP}_baselineadminnetworkpolicies.yaml", "BaselineAdminNetworkPolicy", "v1alpha1"),
    ("v0.2.0", f"{GROUP}_clusternetworkpolicies.yaml", "ClusterNetworkPolicy", "v1alpha2"),
)
OUT = Path(__file__).resolve().parent.parent / "policylint" / "load" / "schemas"
DROPPED = {"description", "x-kubernetes-validations"}


def crd(git_dir: str, tag: str, file: str) -> dict[str, Any]:
    text = subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{tag}:config/crd/experimental/{file}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def convert(node: Any) -> Any:
    """OpenAPI v3 (structural CRD schema) -> JSON Schema 2020-12, nulls allowed below the root."""
    if isinstance(node, list):
        return [convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED:
            continue
        if key == "properties":
            required = set(node.get("required", ()))
            out[key] = {k: convert(v) if k in required else _nullable(convert(v)) for k, v in value.items()}
        else:
            out[key] = convert(value)
    if "required" in out:
        # The API server applies `default`s before it validates, so a defaulted field may be left out.
        defaulted = {k for k, v in node.get("properties", {}).items() if "default" in v}
        out["required"] = [k for k in out["required"] if k not in defaulted]
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str):
        schema = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return schema


def schema_of(doc: dict[str, Any], kind: str, version: str, tag: str) -> dict[str, Any]:
    served = next(v for v in doc["spec"]["versions"] if v["name"] == version)
    root = dict(served["schema"]["openAPIV3Schema"])
    props = dict(root["properties"])
    props.pop("status", None)
    props["apiVersion"] = {"enum": [f"{GROUP}/{version}"], "type": "string"}
    props["kind"] = {"enum": [kind], "type": "string"}
    root["properties"] = props
    root["required"] = [r for r in root.get("required", []) if r != "status"]
    out = convert(root)
    # convert() made the root's own properties nullable; apiVersion and kind must be set.
    out["properties"]["apiVersion"] = props["apiVersion"]
    out["properties"]["kind"] = props["kind"]
    return {"$id": f"https://{GROUP}/{version}/{kind.lower()}", **out,
            "x-network-policy-api-release": tag, "x-crd-channel": "experimental"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--git-dir", required=True, help="a clone (its .git) of kubernetes-sigs/network-policy-api")
    args = parser.parse_args()
    for tag, file, kind, version in RELEASES:
        schema = schema_of(crd(args.git_dir, tag, file), kind, version, tag)
        path = OUT / f"{GROUP}-{version}-{kind.lower()}.json"
        path.write_text(json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n")
        sys.stdout.write(f"wrote {path.relative_to(OUT.parent.parent.parent)}\n")


if __name__ == "__main__":
    main()
