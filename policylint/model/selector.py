"""Label selectors as written in manifests (matching lives in the engine)."""

from __future__ import annotations

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
