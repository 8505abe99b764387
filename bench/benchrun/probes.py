"""Measurements that need policylint's Python API, each run in a fresh process by the harness.

    python bench/benchrun/probes.py floor|load|query|serve DIR [--meta FILE]

Each prints one JSON object on its last line: timings in seconds, or {"na": "reason"} when the
piece of policylint it needs does not exist yet.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

YAML_SUFFIXES = (".yaml", ".yml")


def yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def floor(root: Path) -> dict[str, Any]:
    """PyYAML's C loader over every file: the cost of parsing alone."""
    import yaml

    files = yaml_files(root)
    start = time.perf_counter()
    docs = 0
    for path in files:
        with path.open("rb") as stream:
            docs += sum(1 for _ in yaml.load_all(stream, Loader=yaml.CSafeLoader))
    return {"seconds": time.perf_counter() - start, "docs": docs, "files": len(files)}


def _cluster_of(result: Any) -> Any:
    """Accept a Cluster, an object with `.cluster`, or a tuple holding a Cluster."""
    if hasattr(result, "workloads"):
        return result
    if hasattr(result, "cluster"):
        return result.cluster
    if isinstance(result, tuple | list):
        for item in result:
            if hasattr(item, "workloads"):
                return item
    raise TypeError(f"cannot find a Cluster in {type(result).__name__}")


def _load(root: Path) -> tuple[Any, float]:
    try:
        load_paths = importlib.import_module("policylint.load").load_paths
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"policylint.load.load_paths: {exc}") from exc
    start = time.perf_counter()
    result = load_paths([str(root)])
    seconds = time.perf_counter() - start
    return _cluster_of(result), seconds


class NotAvailable(Exception):
    pass


def load(root: Path) -> dict[str, Any]:
    cluster, seconds = _load(root)
    return {"seconds": seconds, "workloads": len(cluster.workloads), "policies": len(cluster.policies)}


def _flow(cluster: Any, query: dict[str, Any]) -> Any:
    flow_mod = importlib.import_module("policylint.engine.flow")
    protocol = importlib.import_module("policylint.model").Protocol(query["protocol"])
    index = {f"{w.namespace}/{w.name}": i for i, w in enumerate(cluster.workloads)}
    return flow_mod.Flow(index[query["src"]], index[query["dst"]], protocol, query["port"])


def query(root: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Load once, build the evaluator, then time single questions, one call each."""
    cluster, load_seconds = _load(root)
    try:
        evaluator_cls = importlib.import_module("policylint.engine.concrete").Evaluator
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"policylint.engine.concrete.Evaluator: {exc}") from exc
    start = time.perf_counter()
    evaluator = evaluator_cls(cluster)
    out: dict[str, Any] = {"load": load_seconds, "build": time.perf_counter() - start}
    flows = [_flow(cluster, q) for q in meta["queries"]]
    out["verdict"], out["allowed"] = [], []
    for f in flows:  # the first call is the cold one: caches are filled on demand
        start = time.perf_counter()
        verdict = evaluator.verdict(f)
        out["verdict"].append(time.perf_counter() - start)
        out["allowed"].append(bool(verdict.allowed))
    if hasattr(evaluator, "allowed_conns"):
        out["allowed_conns"] = []
        for f in flows:
            start = time.perf_counter()
            evaluator.allowed_conns(f.src, f.dst)
            out["allowed_conns"].append(time.perf_counter() - start)
    return out


SERVE_QUESTIONS = 200


def serve(root: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """`policylint serve ROOT`: one question at a time over its stdin, each answer awaited; the first
    (which waits for the load) is not counted."""
    import statistics
    import subprocess

    cmd = [sys.executable, "-m", "policylint", "serve", str(root)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stdin is not None and proc.stdout is not None
    times: list[float] = []
    try:
        for i in range(SERVE_QUESTIONS + 1):
            q = meta["queries"][i % len(meta["queries"])]
            question = {"id": i, "from": q["src"], "to": q["dst"], "port": f"{q['port']}/{q['protocol']}"}
            start = time.perf_counter()
            proc.stdin.write(json.dumps(question) + "\n")
            proc.stdin.flush()
            reply = json.loads(proc.stdout.readline())
            if "answer" not in reply:
                raise NotAvailable(f"serve: {reply}")
            if i:
                times.append(time.perf_counter() - start)
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    times.sort()
    return {"questions": len(times), "median": statistics.median(times), "p95": times[int(len(times) * 0.95)],
            "seconds": statistics.median(times)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("probe", choices=("floor", "load", "query", "serve"))
    parser.add_argument("root", type=Path)
    parser.add_argument("--meta", type=Path)
    args = parser.parse_args()
    try:
        if args.probe == "floor":
            result = floor(args.root)
        elif args.probe == "load":
            result = load(args.root)
        else:
            meta = json.loads((args.meta or args.root / ".bench-meta").read_text(encoding="utf-8"))
            result = serve(args.root, meta) if args.probe == "serve" else query(args.root, meta)
    except NotAvailable as exc:
        result = {"na": str(exc)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
