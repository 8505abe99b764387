"""Label selection for the engine: the one matcher (model/selector.py) and its explanations."""

from __future__ import annotations

from collections.abc import Mapping

from policylint.model.selector import LabelSelector, Operator, Requirement
from policylint.model.selector import matches as matches
from policylint.model.selector import requirement_matches as requirement_matches


def describe_requirement(req: Requirement) -> str:
    if req.operator in (Operator.IN, Operator.NOT_IN):
        return f"{req.key} {req.operator.value} ({','.join(req.values)})"
    if req.values:  # the string operators
        return f"{req.key} {req.operator.value} {req.values[0]!r}"
    return f"{req.key} {req.operator.value}"


def unmet(selector: LabelSelector, labels: Mapping[str, str]) -> list[str]:
    """The terms of `selector` that `labels` fail, as readable text (for explanations)."""
    out = [f"{k}={v}" for k, v in selector.match_labels if labels.get(k) != v]
    out.extend(describe_requirement(r) for r in selector.match_expressions if not requirement_matches(r, labels))
    return out
