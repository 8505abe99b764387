"""Turn each page of ahmetb/kubernetes-network-policy-recipes into an input directory.

usage: recipes.py RECIPES_CHECKOUT OUT_DIR

policies.yaml: the page's YAML blocks. workloads.yaml: the Pods, Services and Namespaces its
`kubectl run` (labels, --namespace, --port, --expose), `kubectl create namespace` and
`kubectl label namespace/...` lines create; each throw-away `test-$RANDOM` pod becomes test-N.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import yaml


def run_pod(args: list[str], n: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    name, ns, labels, port, expose = "", "default", {}, None, False
    for a in args[: args.index("--")] if "--" in args else args:
        if a.startswith("--labels="):
            labels = dict(p.split("=", 1) for p in a.split("=", 1)[1].split(","))
        elif a.startswith("--namespace="):
            ns = a.split("=", 1)[1]
        elif a.startswith("--port="):
            port = int(a.split("=", 1)[1])
        elif a == "--expose":
            expose = True
        elif not a.startswith("-") and not name:
            name = a
    name = f"test-{n}" if name.startswith("test-") else name
    container: dict[str, Any] = {"name": name, "image": "x"}
    if port:
        container["ports"] = [{"containerPort": port}]
    labels = labels or {"run": name}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"containers": [container]}}  # fmt: skip
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
           "spec": {"selector": labels, "ports": [{"port": port}]}} if expose and port else None  # fmt: skip
    return pod, svc


def page(md: Path) -> tuple[list[str], list[dict[str, Any]]]:
    text = md.read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "kind:" in b]
    docs: list[dict[str, Any]] = []
    namespaces: dict[str, dict[str, str]] = {}
    seen: set[tuple[str, str]] = set()
    n = 0
    for line in text.splitlines():
        line = line.strip().lstrip("$").strip()
        if not line.startswith("kubectl "):
            continue
        try:
            args = shlex.split(line.replace("$RANDOM", "x"))
        except ValueError:  # a line continued with a backslash: not a command the pages need
            continue
        if args[1:3] in (["create", "namespace"], ["create", "ns"]):
            namespaces.setdefault(args[3], {})
        elif args[1] == "label" and args[2].startswith("namespace/"):
            key, value = args[3].split("=", 1)
            namespaces.setdefault(args[2].split("/", 1)[1], {})[key] = value
        elif args[1] == "run":
            n += 1
            pod, svc = run_pod(args[2:], n)
            where = (pod["metadata"]["namespace"], pod["metadata"]["name"])
            if where not in seen:
                seen.add(where)
                docs += [pod] + ([svc] if svc else [])
    for ns, labels in namespaces.items():
        meta: dict[str, Any] = {"name": ns, **({"labels": labels} if labels else {})}
        docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
    return blocks, docs


def main(src: Path, out: Path) -> None:
    for md in sorted(src.glob("[0-9]*.md")):
        blocks, docs = page(md)
        if not blocks:
            continue
        d = out / md.stem
        d.mkdir(parents=True, exist_ok=True)
        (d / "policies.yaml").write_text("\n---\n".join(blocks))
        if docs:
            (d / "workloads.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
