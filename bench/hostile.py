#!/usr/bin/env python3
"""Generate the hostile inputs of issue 17 point 1: small files that made formula building explode.

    python bench/hostile.py --out bench/out/hostile            # every case
    python bench/hostile.py --out bench/out/hostile --case identical-400

Each case is one folder under --out; time it with
`/usr/bin/time -v policylint lint bench/out/hostile/CASE --fail-on never`. Figures: RESULTS.md,
"Hostile input".

| case | what |
| --- | --- |
| empty-rules-1000, empty-rules-2000 | one policy with that many empty (`{}`) ingress rules |
| identical-400 | 400 identical one-rule policies in one namespace |
| labels-1600 | 500 namespaces, one pod carrying 1,600 labels, two policies asking the solver |
| big-selector | one policy whose podSelector has 400,000 labels, 300 policies with 20 matchExpressions |
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path


def _policy(name: str, namespace: str, selector: str, ingress: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec: {{podSelector: {selector}, ingress: {ingress}}}\n"
    )


def _pod(name: str, namespace: str, labels: str) -> str:
    return (
        "apiVersion: v1\nkind: Pod\n"
        f"metadata: {{name: {name}, namespace: {namespace}, labels: {labels}}}\n"
        "spec: {containers: [{name: c, image: i}]}\n"
    )


def empty_rules(n: int) -> dict[str, str]:
    return {"policy.yaml": _policy("many-empty", "default", "{}", "[" + ", ".join(["{}"] * n) + "]")}


def identical(n: int) -> dict[str, str]:
    rule = "[{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 80}]}]"
    docs = [_policy(f"same-{i}", "default", "{matchLabels: {app: api}}", rule) for i in range(n)]
    pods = [_pod(app, "default", f"{{app: {app}}}") for app in ("api", "web")]
    return {"policies.yaml": "---\n".join(docs), "pods.yaml": "---\n".join(pods)}


def many_labels(namespaces: int, labels: int) -> dict[str, str]:
    ns = [
        f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{i}, labels: {{team: t{i}}}}}\n"
        for i in range(namespaces)
    ]
    pod_labels = "{" + ", ".join(f"k{i}: v{i}" for i in range(labels)) + "}"
    rule = "[{from: [{namespaceSelector: {matchLabels: {team: t1}}}], ports: [{port: 80}]}]"
    policies = [_policy(f"allow-{i}", "ns-0", "{matchLabels: {k0: v0}}", rule) for i in range(2)]
    return {"namespaces.yaml": "---\n".join(ns), "pod.yaml": _pod("big", "ns-0", pod_labels),
            "policies.yaml": "---\n".join(policies)}  # fmt: skip


def big_selector(labels: int, policies: int, expressions: int) -> dict[str, str]:
    big = "{matchLabels: {" + ", ".join(f"l{i}: v" for i in range(labels)) + "}}"
    docs = [_policy("huge", "default", big, "[{}]")]
    for p in range(policies):
        exprs = ", ".join(
            f"{{key: e{(p + i) % 40}, operator: {'In' if i % 2 else 'NotIn'}, values: [a{i}, b{p % 7}]}}"
            for i in range(expressions)
        )
        rule = f"[{{from: [{{podSelector: {{matchExpressions: [{exprs}]}}}}]}}]"
        docs.append(_policy(f"exprs-{p}", "default", f"{{matchExpressions: [{exprs}]}}", rule))
    return {"policies.yaml": "---\n".join(docs)}


CASES: dict[str, Callable[[], dict[str, str]]] = {
    "empty-rules-1000": lambda: empty_rules(1_000),
    "empty-rules-2000": lambda: empty_rules(2_000),
    "identical-400": lambda: identical(400),
    "labels-1600": lambda: many_labels(500, 1_600),
    "big-selector": lambda: big_selector(400_000, 300, 20),
}


def write(case: str, out: Path) -> Path:
    folder = out / case
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, text in CASES[case]().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the cases into")
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="one case (repeatable); default all")
    args = parser.parse_args(argv)
    for case in args.case or sorted(CASES):
        print(write(case, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
