"""Renderers for `policylint query` answers: text and json."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from policylint.engine.connset import ConnSet
from policylint.model.policy import Direction
from policylint.queries.explain import RuleNote, SideExplanation
from policylint.queries.reach import Answer
from policylint.queries.service_query import BackendAnswer, PortAnswer, ServiceAnswer
from policylint.reporters.escape import terminal

MAX_MISSES = 3


def _want(a: Answer) -> str:
    return f" on {a.want}" if a.want is not None else ""


def _side_text(side: SideExplanation | None) -> list[str]:
    if side is None:
        return []
    word = "egress from" if side.direction is Direction.EGRESS else "ingress to"
    head = f"{word} {side.endpoint}" + (f" ({side.derived})" if side.derived else "") + ": "
    if side.layers:  # clusters with tiers: the tiers' decisions, then the NetworkPolicy layer
        misses = [f"    {m.rule} ({m.span}): {m.text}" for m in side.tier_misses[:MAX_MISSES]]
        return [head.rstrip(" "), *(f"  {line}" for line in side.layers),
                *(["  closest misses among tier rules:", *misses] if misses else []),
                *(f"  {line}" for line in _np_lines(side, head))]
    return _np_lines(side, head)


def _np_lines(side: SideExplanation, head: str) -> list[str]:
    if not side.governed:
        return [head + "not governed by any policy (hostNetwork pods are not selected): allowed"]
    if not side.isolated:
        return [head + f"not isolated (no policy selects it with policyTypes {side.direction.value}): allowed"]
    pols = ", ".join(f"{ref} ({span})" for ref, span in side.isolating)
    lines = [head + f"isolated by {pols}"]
    for n in side.allowing:
        lines.append(f"  allowed by {n.policy} {side.direction.value.lower()} rule {n.rule} ({n.span}): {n.text}")
    if not side.allowing:
        if not side.misses:
            lines.append(f"  blocked: these policies have no {side.direction.value.lower()} rules (deny all)")
        else:
            lines.append("  blocked: no rule admits it; closest misses:")
            lines.extend(_miss(side, n) for n in side.misses[:MAX_MISSES])
    return lines


def _miss(side: SideExplanation, n: RuleNote) -> str:
    return f"    {n.policy} {side.direction.value.lower()} rule {n.rule} ({n.span}): {n.text}"


def render_text(a: Answer) -> str:
    verdict = "ALLOWED" if a.allowed else "BLOCKED"
    lines = [f"{a.src.text} -> {a.dst.text}{_want(a)}: {verdict}"]
    if a.egress is not None or a.ingress is not None:
        lines.append(f"allowed connections: {a.conns}")
        lines.append("")
        lines.extend(_side_text(a.egress))
        lines.extend(_side_text(a.ingress))
    else:
        lines.append(f"{len(a.pairs)} connected pair(s)" + (":" if a.pairs else ""))
        lines.extend(f"  {p.src} -> {p.dst} : {p.conns}" for p in a.pairs)
    for w in a.witnesses:
        lines.append(f"witness: {w}")
    for u in a.undecided:
        lines.append(f"could not decide: {u}")
    lines.extend(f"note: {n}" for n in a.notes)
    return "\n".join(terminal(line) for line in lines) + "\n"  # names and label values come from the input


def _side_json(side: SideExplanation | None) -> dict[str, Any] | None:
    if side is None:
        return None

    def note(n: RuleNote) -> dict[str, Any]:
        return {"policy": n.policy, "rule": n.rule, "file": n.span.file, "line": n.span.line, "reason": n.text}

    doc: dict[str, Any] = {
        "direction": side.direction.value,
        "endpoint": side.endpoint,
        "governed": side.governed,
        "isolated": side.isolated,
        "conns": side.conns.to_json(),
        "isolating": [{"policy": r, "file": s.file, "line": s.line} for r, s in side.isolating],
        "allowing": [note(n) for n in side.allowing],
        "misses": [note(n) for n in side.misses],
    }
    if side.layers:
        doc["tiers"] = side.layers
        doc["tier_misses"] = [{"tier": m.tier, "rule": m.rule, "file": m.span.file, "line": m.span.line,
                               "reason": m.text} for m in side.tier_misses]
    if side.derived:
        doc["derived"] = side.derived
    return doc


def answer_json(a: Answer) -> dict[str, Any]:
    doc = {
        "from": a.src.text,
        "to": a.dst.text,
        "port": None if a.want is None else a.want.to_json(),
        "allowed": a.allowed,
        "conns": a.conns.to_json(),
        "pairs": [{"src": p.src, "dst": p.dst, "conns": p.conns.to_json()} for p in a.pairs],
        "egress": _side_json(a.egress),
        "ingress": _side_json(a.ingress),
        "witnesses": a.witnesses,
        "undecided": a.undecided,
    }
    if a.notes:
        doc["notes"] = a.notes
    return doc


def render_json(a: Answer) -> str:
    return json.dumps(answer_json(a), indent=1) + "\n"


def iter_json(a: Answer) -> Iterator[str]:
    """The text of `render_json`, in pieces: the pairs of `a.pair_stream` (when given) are encoded
    as they are made, so memory stays flat however many pairs connect."""
    if a.pair_stream is None:
        yield render_json(a)
        return
    marker = f"pairs-{uuid.uuid4().hex}"  # stands in for the array; no input string can be it
    doc = answer_json(a)
    doc["pairs"] = marker
    head, tail = json.dumps(doc, indent=1).split(json.dumps(marker), 1)
    yield head
    conns_text: dict[ConnSet, str] = {}
    sep = "[\n"
    for p in a.pair_stream:
        text = conns_text.get(p.conns)
        if text is None:  # few distinct connection sets: each encoded once
            text = conns_text[p.conns] = json.dumps(p.conns.to_json(), indent=1).replace("\n", "\n   ")
        yield f'{sep}  {{\n   "src": {json.dumps(p.src)},\n   "dst": {json.dumps(p.dst)},\n   "conns": {text}\n  }}'
        sep = ",\n"
    yield "[]" if sep == "[\n" else "\n ]"
    yield tail + "\n"


# --- a Service as destination (queries/service_query.py) ------------------------------------------


def _target_text(p: PortAnswer) -> str:
    sp = p.service_port
    target = "no such port" if p.target is None else f"target {p.target}"
    named = f" ({sp.target_port!r})" if isinstance(sp.target_port, str) else ""
    return f"{sp.protocol.value} {sp.port} -> {target}{named}: {'admitted' if p.admitted else 'blocked'}"


def render_service_text(a: ServiceAnswer) -> str:
    svc = a.service
    kind = svc.type + (", headless" if svc.headless else "")
    lines = [f"{a.src.text} -> {a.text} ({svc.ref}, {kind}) on {a.asked()}: {a.verdict}", a.summary]
    for b in a.backends:
        via = "" if b.backend.via == "selector" else f" (from {b.backend.via})"
        lines.append("")
        lines.append(f"backend {b.backend.label}{via}: {b.verdict}")
        lines.extend(f"  {_target_text(p)}" for p in b.ports)
        if b.answer is not None:
            body = render_text(b.answer).splitlines()[1:]  # its head line repeats the backend's verdict
            lines.extend(f"  {line}" if line else "" for line in body if not line.startswith("note:"))
        lines.extend(f"  note: {n}" for n in b.notes)
    if a.notes:
        lines.append("")
        lines.extend(f"note: {n}" for n in a.notes)
    return "\n".join(terminal(line) for line in lines) + "\n"


def service_json(a: ServiceAnswer) -> dict[str, Any]:
    svc = a.service

    def backend(b: BackendAnswer) -> dict[str, Any]:
        return {
            "backend": b.backend.label,
            "type": "workload" if b.backend.workload is not None else "address",
            "address": b.backend.address,
            "via": b.backend.via,
            "verdict": b.verdict,
            "ports": [{"service_port": p.service_port.port, "protocol": p.service_port.protocol.value,
                       "name": p.service_port.name, "target_port": p.target, "admitted": p.admitted}
                      for p in b.ports],  # fmt: skip
            "answer": None if b.answer is None else answer_json(b.answer),
            "notes": b.notes,
        }

    return {
        "from": a.src.text,
        "to": a.text,
        "service": {"namespace": svc.namespace, "name": svc.name, "type": svc.type, "headless": svc.headless},
        "port": a.port_text,
        "verdict": a.verdict,
        "allowed": a.allowed,
        "summary": a.summary,
        "backends": [backend(b) for b in a.backends],
        "notes": a.notes,
        "undecided": a.undecided,
        # `--from any`: z3 on pods outside the input (null: not asked, the answer is about the input's pods)
        "outside_input": None if a.outside is None else {
            "reachable": a.outside.reachable, "backends": a.outside.backends, "example": a.outside.example,
            "undecided": a.outside.undecided or None},
    }


def render_service_json(a: ServiceAnswer) -> str:
    return json.dumps(service_json(a), indent=1) + "\n"
