"""The Markdown table, the targets from issue 6, the machine description and bench/RESULTS.md."""

from __future__ import annotations

import datetime
import itertools
import math
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent.parent / "RESULTS.md"
BEGIN, END = "<!-- bench/run:begin -->", "<!-- bench/run:end -->"

COLUMNS = (
    ("workloads", "workloads"),
    ("policies", "policies"),
    ("yaml_mb", "YAML MB"),
    ("floor", "YAML floor s"),
    ("load", "load s"),
    ("load_ratio", "load / floor"),
    ("matrix", "matrix s"),
    ("matrix_mb", "matrix MB"),
    ("matrix_text", "matrix text s"),
    ("matrix_text_mb", "matrix text MB"),
    ("matrix_cached", "2nd matrix s"),
    ("lint", "lint s"),
    ("index", "index s"),
    ("query", "query ms"),
    ("query_first", "query s"),
    ("query_cached", "2nd query s"),
    ("serve", "serve ms"),
    ("diff", "diff s"),
    ("diff_nosmt", "diff no-smt s"),
    ("peak", "peak MB"),
    ("nca", "NCA s"),
    ("nca_ratio", "NCA / matrix"),
    ("nca_ratio_cached", "NCA / 2nd matrix"),
)


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return _num(value)
    return str(value)


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |"]
    lines.append("|" + "|".join("---:" for _ in COLUMNS) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(key)) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


GROWTH = (("floor", "YAML floor"), ("load", "load"), ("matrix", "matrix"), ("matrix_text", "matrix text"),
          ("lint", "lint"), ("diff", "diff"), ("nca", "NCA"))  # fmt: skip


def growth(rows: list[dict[str, Any]]) -> list[str]:
    """Exponent k in time ~ (workloads + policies)^k between consecutive sizes: 1 is linear, 2 quadratic."""
    out = []
    for a, b in itertools.pairwise(rows):
        size_a, size_b = a["workloads"] + a["policies"], b["workloads"] + b["policies"]
        parts = []
        for key, title in GROWTH:
            ta, tb = a.get(key), b.get(key)
            if isinstance(ta, float) and isinstance(tb, float) and ta > 0 and size_b > size_a:
                parts.append(f"{title} {math.log(tb / ta) / math.log(size_b / size_a):.2f}")
        if parts:
            out.append(f"- {a['workloads']:,} -> {b['workloads']:,} workloads: " + ", ".join(parts))
    return out


def _check(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def _lt(value: Any, limit: float) -> bool | None:
    return value < limit if isinstance(value, float) else None


def targets(rows: list[dict[str, Any]]) -> list[str]:
    """The targets of issue 6, for the sizes that were run."""
    out = []
    for row in rows:
        w = row["workloads"]
        if w == 5000:
            ratio = row.get("load_ratio_value")
            out.append(f"- 5,000: load within 1.5x of the YAML floor: {_check(_lt(ratio, 1.5))}")
            out.append(f"- 5,000: matrix under 10 s: {_check(_lt(row.get('matrix'), 10.0))}")
            out.append(f"- 5,000: lint under 30 s: {_check(_lt(row.get('lint'), 30.0))}")
            out.append(f"- 5,000: one query under 50 ms after load: {_check(_lt(row.get('query'), 50.0))}")
            out.append(f"- 5,000: peak memory under 2 GB: {_check(_lt(row.get('peak'), 2048.0))}")
        if w == 20000:
            out.append(f"- 20,000: matrix under 60 s: {_check(_lt(row.get('matrix'), 60.0))}")
        for key, run in (("nca_ratio_value", "first run"), ("nca_ratio_cached_value", "model cached")):
            if w >= 1000 and isinstance(row.get(key), float):
                out.append(f"- {w:,}: at least 100x faster than NCA ({run}): {_check(row[key] >= 100)}")
    return out


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def _memory() -> str:
    try:
        text = Path("/proc/meminfo").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return f"{int(match.group(1)) / 1024 / 1024:.0f} GiB" if match else "unknown"


def _git_commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
                         cwd=RESULTS.parent)  # fmt: skip
    return out.stdout.strip() or "unknown"


def machine(nca_version: str) -> list[str]:
    import yaml

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    libyaml = "with libyaml" if getattr(yaml, "__with_libyaml__", False) else "without libyaml"
    return [
        f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {cores} cores (nproc), {_cpu_model()}, {_memory()} memory, {platform.system()}",
        f"- Python {platform.python_version()} ({sys.executable}); PyYAML {yaml.__version__} {libyaml}",
        f"- policylint commit {_git_commit()}; NCA: {nca_version}",
    ]


def render(rows: list[dict[str, Any]], command: str, nca_version: str, notes: list[str]) -> str:
    parts = ["## Latest run", "", *machine(nca_version), f"- command: `{command}`", "", table(rows), ""]
    found = targets(rows)
    if found:
        parts += ["Targets (issue 6):", "", *found, ""]
    slopes = growth(rows)
    if slopes:
        parts += ["Growth exponent k (time ~ (workloads + policies)^k) between consecutive sizes:", "", *slopes, ""]
    if notes:
        parts += ["Notes from this run:", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(parts)


def write_results(section: str) -> None:
    """Replace the generated section of bench/RESULTS.md, keeping the hand-written text around it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = (text or "# Benchmark results\n\n") + "\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
