"""The single implementation of label selection."""

from __future__ import annotations

from collections.abc import Mapping

from policylint.model.selector import (
    NEGATED_STRING_OPERATORS,
    STRING_OPERATORS,
    LabelSelector,
    Operator,
    Requirement,
    string_test,
)


def requirement_matches(req: Requirement, labels: Mapping[str, str]) -> bool:
    op = req.operator
    if op is Operator.IN:
        return req.key in labels and labels[req.key] in req.values
    if op is Operator.NOT_IN:
        # NotIn matches objects that lack the key (apimachinery labels.Requirement.Matches).
        return req.key not in labels or labels[req.key] not in req.values
    if op is Operator.EXISTS:
        return req.key in labels
    if op is Operator.DOES_NOT_EXIST:
        return req.key not in labels
    if op in STRING_OPERATORS:  # Calico: the key must be present (parser/ast.go LabelContainsValueNode)
        return req.key in labels and string_test(op, req.values[0], labels[req.key])
    assert op in NEGATED_STRING_OPERATORS
    return req.key not in labels or not string_test(op, req.values[0], labels[req.key])


def matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """matchLabels and matchExpressions are ANDed; an empty selector matches everything."""
    for key, value in selector.match_labels:
        if labels.get(key) != value:
            return False
    return all(requirement_matches(r, labels) for r in selector.match_expressions)


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
