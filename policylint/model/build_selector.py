"""Label selectors (matchLabels, matchExpressions) read from located documents."""

from __future__ import annotations

from typing import Any

from policylint.load.fields import Reader, Skip, as_text, shown
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.selector import LabelSelector, Operator, Requirement

_OPERATORS = {op.value: op for op in Operator}


def selector(r: Reader, obj: LMap, key: str, path: str) -> LabelSelector | None:
    """A LabelSelector; None when absent. Skip when it cannot be read."""
    value: LMap | None = r.field(obj, key, LMap, path)
    if value is None:
        return None
    here = f"{path}.{key}"
    labels = r.labels(value, "matchLabels", here) or {}
    exprs: LSeq | None = r.field(value, "matchExpressions", LSeq, here)
    reqs = tuple(requirement(r, exprs, i, f"{here}.matchExpressions[{i}]") for i in range(len(exprs or ())))
    return LabelSelector(tuple(sorted(labels.items())), reqs, value.span)


def requirement(r: Reader, exprs: Any, index: int, path: str) -> Requirement:
    item = exprs[index]
    span = exprs.item_span(index)
    if not isinstance(item, LMap):
        r.bad(span, path, f"{shown(item)} is not a mapping")
        raise Skip
    key = r.field(item, "key", str, path)
    op_text = r.field(item, "operator", str, path)
    values: LSeq | None = r.field(item, "values", LSeq, path)
    texts = tuple(v if isinstance(v, str) else as_text(v) for v in values or ())
    for i, v in enumerate(values or ()):
        if not isinstance(v, str):
            r.bad(values.item_span(i) if values else span, f"{path}.values[{i}]", f"{shown(v)} is not a string")
    if key is None or op_text is None:
        r.bad(span, path, "a requirement needs 'key' and 'operator'")
        raise Skip
    op = _OPERATORS.get(op_text)
    if op is None:
        # Matches nothing, like an In with no values, so it never widens what a rule allows.
        where = item.value_span("operator")
        r.bad(where, f"{path}.operator", f"unknown operator {op_text!r} (In, NotIn, Exists, DoesNotExist)")
        return Requirement(key, Operator.IN, (), span)
    return Requirement(key, op, texts, span)
