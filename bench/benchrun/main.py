"""`bench/run`: generate clusters of several sizes and time policylint (and NCA) on each.

    bench/run                       sizes 50, 500, 1000, 5000, 20000
    bench/run --sizes 500,5000      chosen sizes
    bench/run --quick               sizes 50 and 500, no NCA
    bench/run --install-nca         create bench/.nca-venv with network-config-analyzer, then exit
    bench/run --write-results       also write the table into bench/RESULTS.md
    bench/run --only diff           a subset of the measurements (floor, load, matrix, lint, query, diff, nca)

Every measurement runs in a fresh process. Pieces of policylint that do not exist yet show as n/a.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchrun import nca, pr, report  # noqa: E402
from benchrun.measure import Measurement, last_json, run_child  # noqa: E402

BENCH = Path(__file__).resolve().parent.parent
OUT = BENCH / "out"
PROBES = BENCH / "benchrun" / "probes.py"
DEFAULT_SIZES = (50, 500, 1000, 5000, 20000)
QUICK_SIZES = (50, 500)
PARSE_REPEAT = 3  # the floor and load are cheap next to the rest: always best of 3
PARTS = ("floor", "load", "matrix", "lint", "query", "diff", "nca", "cached", "serve")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(workloads: int, seed: int, profile: str = "sparse") -> tuple[Path, dict[str, Any]]:
    root = OUT / f"{'d' if profile == 'dense' else 'w'}{workloads}-s{seed}"
    cmd = [sys.executable, str(BENCH / "generate.py"), "--workloads", str(workloads), "--seed", str(seed),
           "--profile", profile]  # fmt: skip
    m = run_child([*cmd, "--out", str(root)], timeout=1800, capture_stdout=True)
    if not m.ok:
        raise SystemExit(f"generate failed for {workloads}: {m.stderr.strip()}")
    meta: dict[str, Any] = json.loads((root / ".bench-meta").read_text(encoding="utf-8"))
    log(f"[{workloads}] generated {root} in {m.seconds:.1f} s: {json.dumps(last_json(m.stdout))}")
    return root, meta


def best(runs: list[Measurement]) -> Measurement:
    return min(runs, key=lambda m: m.seconds)


def probe(kind: str, root: Path, repeat: int, timeout: float) -> tuple[dict[str, Any] | None, float, str]:
    """Run a probe `repeat` times; keep the fastest result. Returns (result or None, peak MB, reason)."""
    results: list[dict[str, Any]] = []
    peak = 0.0
    for _ in range(repeat):
        m = run_child([sys.executable, str(PROBES), kind, str(root)], timeout, capture_stdout=True)
        peak = max(peak, m.peak_mb)
        value = last_json(m.stdout)
        if not m.ok or value is None:
            return None, peak, f"{kind}: exit {m.returncode}, {m.stderr.strip()[-300:]}"
        if "na" in value:
            return None, peak, f"{kind}: {value['na']}"
        results.append(value)
    key = "seconds" if "seconds" in results[0] else "build"
    return min(results, key=lambda r: float(r[key])), peak, ""


def cli(
    args: list[str], paths: list[Path], repeat: int, timeout: float, capture: bool = False
) -> tuple[Measurement | None, float, str]:
    """Time `policylint COMMAND PATHS... OPTIONS` end to end in fresh processes, output discarded (read
    through a pipe when `capture`). Returns the fastest run (None if one failed), the peak MB of all
    runs, and why it failed."""
    cmd = [sys.executable, "-m", "policylint", args[0], *(str(p) for p in paths), *args[1:]]
    runs = []
    for _ in range(repeat):
        m = run_child(cmd, timeout, capture_stdout=capture)
        if not m.ok:
            why = "timed out" if m.timed_out else f"exit {m.returncode}: {m.stderr.strip()[-200:]}"
            return None, m.peak_mb, f"policylint {' '.join(args)}: {why}"
        runs.append(m)
    return best(runs), max(r.peak_mb for r in runs), ""


def nca_cells(root: Path, row: dict[str, Any], opts: argparse.Namespace, notes: list[str]) -> None:
    if not nca.available():
        notes.append(f"{row['workloads']}: NCA not installed (bench/run --install-nca); skipped")
        return
    if opts.nca_gave_up is not None:
        row["nca"] = f"> {opts.nca_timeout:.0f} (skipped)"
        return
    log(f"[{row['workloads']}] NCA (timeout {opts.nca_timeout:.0f} s) ...")
    result = nca.measure(root, opts.nca_timeout, use_cache=not opts.no_cache)
    cached = " (cached)" if result.get("cached") else ""
    if result.get("timed_out"):
        row["nca"] = f"> {opts.nca_timeout:.0f}"
        opts.nca_gave_up = row["workloads"]
    elif "error" in result:
        notes.append(f"{row['workloads']}: NCA failed: {result['error']}")
    else:
        row["nca"] = float(result["seconds"])
        notes.append(f"{row['workloads']}: NCA {result['seconds']:.1f} s{cached}, peak {result['peak_mb']:.0f} MB,"
                     f" {result.get('lines', '?')} connection lines")  # fmt: skip


def ratios(row: dict[str, Any]) -> None:
    if isinstance(row.get("load"), float) and isinstance(row.get("floor"), float):
        row["load_ratio_value"] = row["load"] / row["floor"]
        row["load_ratio"] = f"{row['load_ratio_value']:.2f}x"
    nca_s = row.get("nca")
    for key, suffix in (("matrix", ""), ("matrix_cached", "_cached")):
        matrix_s = row.get(key)
        if isinstance(matrix_s, float) and isinstance(nca_s, float):
            row[f"nca_ratio{suffix}_value"] = nca_s / matrix_s
            row[f"nca_ratio{suffix}"] = f"{nca_s / matrix_s:.0f}x"
        elif isinstance(matrix_s, float) and isinstance(nca_s, str):
            row[f"nca_ratio{suffix}"] = f"> {float(nca_s.split()[1]) / matrix_s:.0f}x"


def measure_size(workloads: int, opts: argparse.Namespace, notes: list[str]) -> dict[str, Any]:
    root, meta = generate(workloads, opts.seed, opts.profile)
    row: dict[str, Any] = {"workloads": meta["workloads"], "policies": meta["policies"],
                           "yaml_mb": meta["bytes"] / 1e6}  # fmt: skip
    peaks: list[float] = []
    todo = set(opts.only)

    def note(reason: str) -> None:
        if reason:
            line = " ".join(reason.split())
            notes.append(f"{workloads}: {line[:200]}")

    peaks.append(floor_and_load(root, row, opts, note))
    # Cold runs: --no-cache, so no column reads a model an earlier run left (the "cached" part does).
    runs = (("matrix", "matrix", ["matrix", "--format", "json", "--no-cache"]),
            ("matrix", "matrix_text", ["matrix", "--no-cache"]),
            ("lint", "lint", ["lint", "--fail-on", "never", "--no-cache"]))  # fmt: skip
    for part, key, args in runs:
        if part in todo:
            log(f"[{workloads}] policylint {' '.join(args)} ...")
            m, peak, why = cli(args, [root], opts.repeat, opts.timeout)
            row[key] = m.seconds if m else None
            row[f"{key}_cpu"] = m.cpu if m else None
            row[f"{key}_mb"] = peak if m else None
            peaks.append(peak if m else 0.0)
            note(why)
    if "cached" in todo:
        cached_query(root, meta, row, opts, note)
        cached_matrix(root, row, opts, note)
    if "serve" in todo:
        result, _, why = probe("serve", root, opts.repeat, opts.timeout)
        note(why)
        if result:
            row["serve"] = float(result["median"]) * 1000
            note(f"serve: {result['questions']} questions, median {row['serve']:.2f} ms, "
                 f"p95 {result['p95'] * 1000:.2f} ms")  # fmt: skip
    if "query" in todo:
        query_cells(root, row, opts, note)
    if "diff" in todo:
        peaks += diff_cells(root, row, opts, note)
    if "nca" in todo:
        nca_cells(root, row, opts, notes)
    row["peak"] = max(peaks) if any(peaks) else None
    ratios(row)
    log(f"[{workloads}] {json.dumps({k: v for k, v in row.items()}, default=str)}")
    return row


def cached_query(root: Path, meta: dict[str, Any], row: dict[str, Any], opts: argparse.Namespace, note: Any) -> None:
    """`policylint query` twice on the same tree: the second reads the model cache (in bench/out)."""
    q = meta["queries"][0]
    args = ["query", "--from", q["src"], "--to", q["dst"], "--port", f"{q['port']}/{q['protocol']}"]
    first, _, why = cli(args, [root], 1, opts.timeout)
    note(why)
    if first:
        m, _, why = cli(args, [root], opts.repeat, opts.timeout)
        note(why)
        row["query_first"] = first.seconds
        row["query_cached"] = m.seconds if m else None


def cached_matrix(root: Path, row: dict[str, Any], opts: argparse.Namespace, note: Any) -> None:
    """`policylint matrix --format json` on a tree whose model is cached (a first run fills the cache)."""
    args = ["matrix", "--format", "json"]
    first, _, why = cli(args, [root], 1, opts.timeout)
    note(why)
    if first:
        m, _, why = cli(args, [root], opts.repeat, opts.timeout)
        note(why)
        row["matrix_cached"] = m.seconds if m else None


def floor_and_load(root: Path, row: dict[str, Any], opts: argparse.Namespace, note: Any) -> float:
    """The YAML floor and policylint's load, alternated (best of at least 3 each) so that noise from
    other jobs on the machine hits both alike; returns the load's peak memory."""
    best_of: dict[str, float] = {}
    peak = 0.0
    for _ in range(max(opts.repeat, PARSE_REPEAT)):
        for kind in ("floor", "load"):
            if kind not in opts.only or best_of.get(kind) == -1.0:
                continue
            result, mb, why = probe(kind, root, 1, opts.timeout)
            if result is None:
                note(why)
                best_of[kind] = -1.0
                continue
            best_of[kind] = min(best_of.get(kind, float("inf")), float(result["seconds"]))
            peak = max(peak, mb if kind == "load" else 0.0)
    for kind in ("floor", "load"):
        if kind in opts.only:
            row[kind] = best_of[kind] if best_of.get(kind, -1.0) >= 0 else None
    return peak


def diff_cells(root: Path, row: dict[str, Any], opts: argparse.Namespace, note: Any) -> list[float]:
    """`policylint diff BASE HEAD`, with the SMT proofs (default) and with --no-smt, HEAD being BASE with
    a typical pull request applied (bench/benchrun/pr.py). Checks once that the output states the
    proven namespace-to-namespace allow. Returns the peak MB of the runs that succeeded."""
    workloads = row["workloads"]
    head = OUT / f"{root.name}-pr"
    try:
        change = pr.make_pr(root, head)
    except SystemExit as exc:
        note(f"diff: no pull request made: {exc}")
        return []
    log(f"[{workloads}] PR in {head}: +{change['src']} -> {change['dst']} TCP {change['port']},"
        f" -{change['removed']}")  # fmt: skip
    peaks = []
    for key, extra in (("diff", []), ("diff_nosmt", ["--no-smt"])):
        log(f"[{workloads}] policylint {' '.join(['diff', *extra])} ...")
        m, peak, why = cli(["diff", "--no-cache", *extra], [root, head], opts.repeat, opts.timeout,
                           capture=key == "diff")  # fmt: skip
        row[key] = m.seconds if m else None
        peaks.append(peak if m else 0.0)
        note(why)
        if m and key == "diff":
            check_diff(m.stdout, change, note)
    return peaks


def check_diff(text: str, change: dict[str, Any], note: Any) -> None:
    """Note the summary line, and whether the allow was proven for any pod (the run goes on either way)."""
    lines = text.strip().splitlines()
    summary = lines[0] if lines else "(no output)"
    if any(change["expect"] in line for line in lines):
        note(f"diff: {summary}; proven: {change['expect']}")
    else:
        note(f"diff: {summary}; NOT as expected, no line says '{change['expect']}'")


def query_cells(root: Path, row: dict[str, Any], opts: argparse.Namespace, note: Any) -> None:
    result, _, why = probe("query", root, opts.repeat, opts.timeout)
    note(why)
    if result:
        row["index"] = float(result["build"])
        row["query"] = float(result["verdict"][0]) * 1000
        conns = result.get("allowed_conns")
        extra = f", allowed_conns {conns[0] * 1000:.1f} ms" if conns else ""
        note(f"query: verdicts {result['allowed']}, first verdict {row['query']:.1f} ms{extra}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", help="comma-separated workload counts (default 50,500,1000,5000,20000)")
    p.add_argument("--quick", action="store_true", help="sizes 50 and 500, without NCA")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=("sparse", "dense"), default="sparse",
                   help="sparse: every namespace default-deny; dense: a quarter of them open (default sparse)")
    p.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts (default 1)")
    p.add_argument("--only", default=",".join(PARTS), help=f"measurements to take (default {','.join(PARTS)})")
    p.add_argument("--no-nca", action="store_true", help="skip NCA")
    p.add_argument("--nca-timeout", type=float, default=600.0, help="seconds before NCA is stopped (default 600)")
    p.add_argument("--no-cache", action="store_true", help="rerun NCA even when a timing for the same input is cached")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds allowed for each policylint measurement")
    p.add_argument("--install-nca", action="store_true", help="create bench/.nca-venv with NCA and exit")
    p.add_argument("--write-results", action="store_true", help="write the table into bench/RESULTS.md")
    opts = p.parse_args(argv)
    sizes = QUICK_SIZES if opts.quick else DEFAULT_SIZES
    opts.sizes = [int(s) for s in opts.sizes.split(",")] if opts.sizes else list(sizes)
    opts.only = [part.strip() for part in opts.only.split(",") if part.strip()]
    unknown = set(opts.only) - set(PARTS)
    if unknown:
        p.error(f"unknown measurement(s) in --only: {', '.join(sorted(unknown))}")
    if opts.no_nca or opts.quick:
        opts.only = [part for part in opts.only if part != "nca"]
    opts.nca_gave_up = None
    return opts


def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    # The model cache (`query`, `serve`) lives with the generated clusters, never in the user's cache.
    cache = OUT / "model-cache"
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["POLICYLINT_CACHE_DIR"] = str(cache)
    if opts.install_nca:
        return nca.install()
    if "nca" in opts.only and not nca.available():
        log("NCA is not installed: its column is skipped (bench/run --install-nca installs it)")
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for workloads in sorted(opts.sizes):
        rows.append(measure_size(workloads, opts, notes))
    command = shlex.join(["bench/run", *argv])
    nca_version = (nca.version() or "not installed") if "nca" in opts.only else "not run"
    section = report.render(rows, command, nca_version, notes)
    print(section)
    if opts.write_results:
        report.write_results(section)
        log(f"wrote {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
