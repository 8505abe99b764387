"""Generate policylint/load/schemas/cilium.io-v2-*.json from Cilium's published CRDs.

Source: the CustomResourceDefinitions Cilium publishes for `cilium.io/v2`, either
- a cilium/cilium checkout or bare clone (`--repo`): `pkg/k8s/apis/cilium.io/client/crds/v2/<plural>.yaml`,
  whose served `v2` version's `openAPIV3Schema` is read; or
- a datreeio/CRDs-catalog checkout or bare clone (`--catalog`): `cilium.io/<singular>_v2.json`, the
  same `openAPIV3Schema` converted to JSON, with `additionalProperties: false` added on every object
  (a CRD never says that: the API server prunes unknown fields), which is removed again here.

Each schema becomes one self-contained JSON Schema: descriptions dropped, `nullable: true` turned
into a `"null"` type (null means absent, as kubectl treats it), `status` removed.

    python scripts/gen_schemas_cilium.py --repo /path/to/cilium [--commit v1.18.2]
    python scripts/gen_schemas_cilium.py --catalog /path/to/CRDs-catalog [--commit HEAD]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

KINDS = {  # kind -> (plural in cilium/cilium, singular in CRDs-catalog)
    "CiliumNetworkPolicy": ("ciliumnetworkpolicies", "ciliumnetworkpolicy"),
    "CiliumClusterwideNetworkPolicy": ("ciliumclusterwidenetworkpolicies", "ciliumclusterwidenetworkpolicy"),
}
OUT = Path(__file__).resolve().parent.parent / "policylint" / "load" / "schemas"


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def convert(node: Any, from_catalog: bool) -> Any:
    if isinstance(node, dict):
        out = {k: convert(v, from_catalog) for k, v in node.items() if k not in ("description", "nullable")}
        if node.get("nullable") and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if from_catalog and out.get("additionalProperties") is False:
            del out["additionalProperties"]
        return out
    if isinstance(node, list):
        return [convert(v, from_catalog) for v in node]
    return node


def crd_schema(text: str) -> Any:
    crd = yaml.safe_load(text)
    served = next(v for v in crd["spec"]["versions"] if v["name"] == "v2")
    return served["schema"]["openAPIV3Schema"]


def finish(schema: Any, from_catalog: bool, source: str) -> dict[str, Any]:
    out: dict[str, Any] = convert(schema, from_catalog)
    out.get("properties", {}).pop("status", None)
    return {**out, "x-cilium-source": source}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--repo", help="a cilium/cilium checkout or bare clone")
    where.add_argument("--catalog", help="a datreeio/CRDs-catalog checkout or bare clone")
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args()
    repo = args.repo or args.catalog
    commit = git(repo, "rev-parse", args.commit).strip()
    for kind, (plural, singular) in KINDS.items():
        if args.repo:
            path = f"pkg/k8s/apis/cilium.io/client/crds/v2/{plural}.yaml"
            schema, source = crd_schema(git(repo, "show", f"{commit}:{path}")), f"cilium/cilium@{commit}:{path}"
        else:
            path = f"cilium.io/{singular}_v2.json"
            schema, source = json.loads(git(repo, "show", f"{commit}:{path}")), f"datreeio/CRDs-catalog@{commit}:{path}"
        target = OUT / f"cilium.io-v2-{kind.lower()}.json"
        target.write_text(json.dumps(finish(schema, args.catalog is not None, source), separators=(",", ":"),
                                     sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
