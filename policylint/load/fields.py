"""Typed reads of located values for the model builder: a wrong type becomes an NP002 problem
at the offending span instead of an exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policylint.findings import SCHEMA_VIOLATION, InputProblem, Span
from policylint.load.located_yaml import LMap, LSeq


class Skip(Exception):
    """The object being built cannot be read; the problem is already recorded."""


@dataclass(slots=True)
class Reader:
    """Typed access to located values; records NP002 problems with the offending span."""

    problems: list[InputProblem] = field(default_factory=list)
    # Namespaced objects without metadata.namespace, placed in the default namespace (by span).
    assumed_namespace: dict[Span, None] = field(default_factory=dict)

    def bad(self, span: Span, path: str, message: str) -> None:
        self.problems.append(InputProblem(SCHEMA_VIOLATION, span, f"{path}: {message}"))

    def field(self, obj: LMap, key: str, kind: type | tuple[type, ...], path: str, *, skip: bool = True) -> Any:
        """obj[key] if present and of `kind`; None if absent; on a wrong type: problem, then Skip or None."""
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, (int, str))):
            if isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value < 2**31:
                self.bad(obj.value_span(key), f"{path}.{key}", f"{value} is out of range for a 32-bit integer")
                if skip:
                    raise Skip
                return None
            return value
        self.bad(obj.value_span(key), f"{path}.{key}", f"{shown(value)} is not {_kind_name(kind)}")
        if skip:
            raise Skip
        return None

    def labels(self, obj: LMap | None, key: str, path: str) -> dict[str, str] | None:
        """A string map (labels, matchLabels, selector); None if absent; Skip if not a map."""
        if obj is None:
            return None
        value: LMap | None = self.field(obj, key, LMap, path)
        if value is None:
            return None
        out: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(v, str):
                where = value.value_span(k)
                self.bad(where, f"{path}.{key}.{k}", f"{shown(v)} is not a string (quote it)")
                v = as_text(v)
            out[str(k)] = v
        return out


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {LMap: "a mapping", LSeq: "a list", str: "a string", int: "an integer", bool: "a boolean"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def span_in(parent: LMap | LSeq, key: Any) -> Span:
    """The span of a child value: its own for collections, the parent's record for scalars."""
    if isinstance(parent, LSeq):
        return parent.item_span(key)
    return parent.value_span(key)
