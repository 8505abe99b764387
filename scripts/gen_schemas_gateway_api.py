"""Generate the JSON schemas of the Gateway API and OpenShift Route kinds from their upstream CRDs.

Sources (pinned in SOURCES below):
- kubernetes-sigs/gateway-api, experimental channel (a superset of the standard one, so that
  objects written for either validate) of v1.6.1: Gateway (v1, v1beta1), HTTPRoute (v1,
  v1beta1), GRPCRoute (v1), TLSRoute (v1, v1alpha2, v1alpha3), ReferenceGrant (v1, v1beta1);
  versions since removed come from the last release that served them: GRPCRoute v1alpha2 from
  v1.1.0, ReferenceGrant v1alpha2 from v1.0.0.
- openshift/api: route/v1/zz_generated.crd-manifests/routes.crd.yaml (Route v1) at the commit
  given with --openshift-rev (default HEAD).

Read them from clones or bare git directories of both repositories:

    python scripts/gen_schemas_gateway_api.py --gateway-git-dir PATH/gateway-api/.git \
        --openshift-git-dir PATH/openshift-api/.git

Output: policylint/load/schemas/<group>-<version>-<kind>.json (load/validate.py: schema_file),
self-contained, converted as scripts/gen_schemas_network_policy_api.py converts its CRDs (no
descriptions, no CEL rules, optional fields accept null, defaulted fields not required) after
`prepare` (int-or-string fields, cross-field combinators dropped);
apiVersion and kind are pinned to the file's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from gen_schemas_network_policy_api import convert  # scripts/ is on sys.path when run as a script

GATEWAY = "gateway.networking.k8s.io"
EXPERIMENTAL = "config/crd/experimental/" + GATEWAY + "_{}.yaml"
# (repository, revision, file, kind, versions)
SOURCES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("gateway", "v1.6.1", EXPERIMENTAL.format("gateways"), "Gateway", ("v1", "v1beta1")),
    ("gateway", "v1.6.1", EXPERIMENTAL.format("httproutes"), "HTTPRoute", ("v1", "v1beta1")),
    ("gateway", "v1.6.1", EXPERIMENTAL.format("grpcroutes"), "GRPCRoute", ("v1",)),
    ("gateway", "v1.1.0", EXPERIMENTAL.format("grpcroutes"), "GRPCRoute", ("v1alpha2",)),
    ("gateway", "v1.6.1", EXPERIMENTAL.format("tlsroutes"), "TLSRoute", ("v1", "v1alpha2", "v1alpha3")),
    ("gateway", "v1.6.1", EXPERIMENTAL.format("referencegrants"), "ReferenceGrant", ("v1", "v1beta1")),
    ("gateway", "v1.0.0", EXPERIMENTAL.format("referencegrants"), "ReferenceGrant", ("v1alpha2",)),
    ("openshift", "", "route/v1/zz_generated.crd-manifests/routes.crd.yaml", "Route", ("v1",)),
)
OUT = Path(__file__).resolve().parent.parent / "policylint" / "load" / "schemas"


def crd(git_dir: str, rev: str, file: str) -> dict[str, Any]:
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{rev}:{file}"],
                          check=True, capture_output=True, text=True).stdout  # fmt: skip
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


COMBINATORS = ("anyOf", "oneOf", "allOf", "not")


def prepare(node: Any) -> Any:
    """The CRD schema before conversion: `x-kubernetes-int-or-string: true` as JSON Schema
    (openshift/api writes it with `anyOf: null`), and cross-field rules dropped like CEL rules:
    combinators over `properties` (Route's "path only without passthrough") rely on the API
    server's defaulting first, which jsonschema does not do."""
    if isinstance(node, list):
        return [prepare(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: prepare(v) for k, v in node.items() if not (k in COMBINATORS and (v is None or _cross_field(v)))}
    if out.get("x-kubernetes-int-or-string") and "anyOf" not in out and "type" not in out:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    return out


def _cross_field(value: Any) -> bool:
    return "'properties'" in repr(value) or "'not'" in repr(value) or "'required'" in repr(value)


def schema_of(doc: dict[str, Any], kind: str, version: str, source: str) -> dict[str, Any]:
    group = doc["spec"]["group"]
    served = next(v for v in doc["spec"]["versions"] if v["name"] == version)
    root = dict(prepare(served["schema"]["openAPIV3Schema"]))
    props = dict(root["properties"])
    props.pop("status", None)
    props["apiVersion"] = {"enum": [f"{group}/{version}"], "type": "string"}
    props["kind"] = {"enum": [kind], "type": "string"}
    root["properties"] = props
    root["required"] = [r for r in root.get("required", []) if r != "status"]
    out: dict[str, Any] = convert(root)
    out["properties"]["apiVersion"] = props["apiVersion"]
    out["properties"]["kind"] = props["kind"]
    return {"$id": f"https://{group}/{version}/{kind.lower()}", **out, "x-crd-source": source}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--gateway-git-dir", required=True, help="a clone (its .git) of kubernetes-sigs/gateway-api")
    parser.add_argument("--openshift-git-dir", required=True, help="a clone (its .git) of openshift/api")
    parser.add_argument("--openshift-rev", default="HEAD", help="the openshift/api commit to read (default HEAD)")
    args = parser.parse_args()
    dirs = {"gateway": args.gateway_git_dir, "openshift": args.openshift_git_dir}
    for repo, rev, file, kind, versions in SOURCES:
        if repo == "openshift":
            rev = subprocess.run(["git", "--git-dir", dirs[repo], "rev-parse", args.openshift_rev],
                                 check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
        doc = crd(dirs[repo], rev, file)
        slug = "kubernetes-sigs/gateway-api" if repo == "gateway" else "openshift/api"
        for version in versions:
            schema = schema_of(doc, kind, version, f"{slug}@{rev}:{file}")
            path = OUT / f"{doc['spec']['group']}-{version}-{kind.lower()}.json"
            path.write_text(json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n")
            sys.stdout.write(f"wrote {path.relative_to(OUT.parent.parent.parent)}\n")


if __name__ == "__main__":
    main()
