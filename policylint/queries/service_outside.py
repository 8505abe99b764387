"""`query --from any --to svc/...`: beyond the input's workloads. The per-backend answers cover the
pods of the input (and external addresses); a repository seldom holds the whole cluster, so z3 is
asked, per backend and target port, whether a pod that could exist reaches it (as NP502 does,
queries/outside.py).
"""

from __future__ import annotations

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import SyntheticPod, Witness
from policylint.queries.outside import Outside, describe_pod, describe_witness_source, reachable
from policylint.queries.service_query import BeyondInput, ServiceAnswer, Smt
from policylint.queries.suggest import LabelView


def asks_any(answer: ServiceAnswer) -> bool:
    """Is the source `any` (every pod that could exist and every address)?"""
    spec = answer.src
    return bool(spec.any_external and spec.pod_selector is not None and spec.pod_selector.is_empty
                and spec.namespace is None and spec.namespace_selector is None)  # fmt: skip


def _witness_text(found: Outside, view: LabelView) -> str | None:
    w = found.witness
    if isinstance(w, SyntheticPod):
        return describe_pod(w, view)
    if isinstance(w, Witness):
        return describe_witness_source(w, view)
    return None


def beyond_input(answer: ServiceAnswer, smt: Smt, ev: Evaluator) -> BeyondInput:
    """Ask z3, for each backend pod of the input and each asked target port, whether a pod that
    could exist (outside the input) opens it; the first witness is kept for the text."""
    view = LabelView(ev.cluster)
    reached: list[str] = []
    example: str | None = None
    undecided = ""
    asked = False
    for b in answer.backends:
        if b.backend.workload is None:
            continue
        for p in b.ports:
            if p.target is None:
                continue
            asked = True
            found = reachable(smt(), ev, b.backend.workload, p.service_port.protocol, p.target)
            if found.undecided:
                undecided = undecided or found.undecided
            elif not found.proved:
                reached.append(b.backend.label)
                if example is None and (text := _witness_text(found, view)) is not None:
                    example = f"{text} -> {b.backend.label} on {p.service_port.protocol.value} {p.target}"
                break
    if not asked:
        return BeyondInput(None, [], None, "no backend pod of the input to ask about")
    if reached:
        return BeyondInput(True, reached, example, undecided)
    return BeyondInput(False if not undecided else None, [], None, undecided)
