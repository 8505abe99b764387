"""Render an ExposureReport: what the internet reaches, per workload, and through what.

JSON (a contract tests and scripts rely on):
{"exposures": [{"workload": {"type": "workload", "namespace", "name", "kind"},
                "entry": {"kind", "namespace", "name", "service_type"},
                "sources": [CIDR, ...], "conns": {"TCP": [[lo, hi]], ...},
                "hostnames": [...], "ports": [...], "via": str}],
 "blocked": [... same shape, "conns" = the target ports policies block ...],
 "assumptions": [str], "notes": [str]}
"""

from __future__ import annotations

import json
from typing import Any

from policylint.queries.exposure import Exposure, ExposureReport

FORMATS = ("text", "json")


def _workload(e: Exposure) -> dict[str, Any]:
    w = e.workload
    return {"type": "workload", "namespace": w.namespace, "name": w.name, "kind": w.kind}


def exposure_item(e: Exposure, blocked: bool = False) -> dict[str, Any]:
    entry = e.entry
    return {
        "workload": _workload(e),
        "entry": {"kind": entry.kind, "namespace": entry.namespace, "name": entry.name,
                  "service_type": entry.service_type},
        "sources": list(e.sources),
        "conns": (e.blocked if blocked else e.conns).to_json(),
        "hostnames": list(e.hostnames),
        "ports": list(e.service_ports),
        "via": e.via,
    }  # fmt: skip


def render_json(report: ExposureReport) -> str:
    doc = {
        "exposures": [exposure_item(e) for e in report.exposures if e.conns],
        "blocked": [exposure_item(e, True) for e in report.exposures if e.blocked],
        "assumptions": report.assumptions,
        "notes": report.notes,
    }
    return json.dumps(doc, indent=2) + "\n"


def _entry_text(e: Exposure) -> str:
    entry = e.entry
    kind = f"{entry.service_type} Service" if entry.service_type else entry.kind
    if entry.kind == "Service" and not entry.service_type:
        kind = "Service externalIPs of"
    text = f"{kind} {entry.namespace}/{entry.name}"
    if e.service_ports:
        text += " port " + ",".join(str(p) for p in e.service_ports)
    if e.hostnames:
        text += " (" + ", ".join(e.hostnames) + ")"
    return text


def render_text(report: ExposureReport) -> str:
    lines: list[str] = []
    reached = [e for e in report.exposures if e.conns]
    current = None
    for e in report.exposures:
        w = e.workload
        ref = f"{w.namespace}/{w.name}[{w.kind}]"
        if ref != current:
            lines.append(("\n" if lines else "") + ref)
            current = ref
        srcs = ",".join(e.sources)
        if e.conns:
            lines.append(f"  reached via {_entry_text(e)} from {srcs} -> {e.conns} (through {e.via})")
        if e.blocked:
            lines.append(f"  blocked via {_entry_text(e)} -> {e.blocked}: the policies of {ref} do not admit "
                         f"{e.via}")  # fmt: skip
    workloads = len({(e.workload.namespace, e.workload.name, e.workload.kind) for e in reached})
    if not report.exposures:
        lines.append("No way in from outside the cluster.")
    lines.append(f"\n{workloads} workload(s) reachable from outside through {len(reached)} entry path(s)")
    if report.assumptions:
        lines.append("Assumptions:")
        lines.extend(f"  - {a}" for a in report.assumptions)
    if report.notes:
        lines.append("Not followed:")
        lines.extend(f"  - {n}" for n in report.notes)
    return "\n".join(lines) + "\n"


def render(report: ExposureReport, fmt: str) -> str:
    return render_json(report) if fmt == "json" else render_text(report)
