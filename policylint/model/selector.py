"""Label selectors as written in manifests (matching lives in the engine)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from policylint.findings import NO_SPAN, Span


class Operator(Enum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"
    # Calico's string operators (libcalico-go lib/selector/parser/ast.go), one value each. The
    # positive forms need the key; the negated forms (what `!` makes of them) match objects
    # lacking it, as NotIn does.
    CONTAINS = "Contains"
    STARTS_WITH = "StartsWith"
    ENDS_WITH = "EndsWith"
    NOT_CONTAINS = "NotContains"
    NOT_STARTS_WITH = "NotStartsWith"
    NOT_ENDS_WITH = "NotEndsWith"


# Each string operator and its negation.
STRING_OPERATORS: dict[Operator, Operator] = {
    Operator.CONTAINS: Operator.NOT_CONTAINS,
    Operator.STARTS_WITH: Operator.NOT_STARTS_WITH,
    Operator.ENDS_WITH: Operator.NOT_ENDS_WITH,
}
NEGATED_STRING_OPERATORS: dict[Operator, Operator] = {v: k for k, v in STRING_OPERATORS.items()}


def string_test(op: Operator, value: str, text: str) -> bool:
    """Whether label value `text` passes the positive string operator `op` (or its negation's base)."""
    base = NEGATED_STRING_OPERATORS.get(op, op)
    if base is Operator.CONTAINS:
        return value in text
    if base is Operator.STARTS_WITH:
        return text.startswith(value)
    return text.endswith(value)


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: Operator
    values: tuple[str, ...] = ()
    span: Span = NO_SPAN


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """matchLabels and matchExpressions, ANDed. An empty selector matches everything."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()
    span: Span = NO_SPAN

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def key(self) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, tuple[str, ...]], ...]]:
        """Span-free identity, for caching selector results."""
        return (
            self.match_labels,
            tuple((r.key, r.operator.value, r.values) for r in self.match_expressions),
        )

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels]
        for r in self.match_expressions:
            if r.operator in (Operator.IN, Operator.NOT_IN):
                op = "in" if r.operator is Operator.IN else "notin"
                parts.append(f"{r.key} {op} ({','.join(r.values)})")
            elif r.operator is Operator.EXISTS:
                parts.append(r.key)
            elif r.operator is not Operator.DOES_NOT_EXIST:
                parts.append(f"{r.key} {r.operator.value} {','.join(r.values)}")
            else:
                parts.append(f"!{r.key}")
        return "{" + ", ".join(parts) + "}"


EVERYTHING = LabelSelector()


# The single implementation of label selection (the engine re-exports it; the model needs it to
# tell an owner's pods apart).
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
