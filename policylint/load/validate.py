"""Validate the objects read against the Kubernetes JSON schemas generated from upstream OpenAPI.

The schemas (policylint/load/schemas, see scripts/gen_schemas.py for the version) are loaded
once per process. Each error becomes an NP002 problem at the span of the offending value,
with a one-line message naming the field path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from policylint.findings import SCHEMA_VIOLATION, InputProblem, Span
from policylint.load.fields import shown
from policylint.load.kinds import BUILTIN_SCHEMA_KINDS, UNVALIDATED_KINDS, is_dialect_kind
from policylint.load.located_yaml import LMap, LSeq

if TYPE_CHECKING:  # both are imported where a document is validated (80 ms that matrix and query skip)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {"integer": "an integer", "string": "a string", "object": "a mapping", "array": "a list",
               "boolean": "a boolean", "number": "a number"}  # fmt: skip


def read_schema(name: str) -> Any:
    return json.loads(resources.files("policylint.load.schemas").joinpath(name).read_text())


_read = read_schema


# Full validation of every workload costs more than parsing it (measured: 0.46 ms per
# Deployment, 2x the parse). For workloads we validate the parts the model reads, with the
# upstream schema pruned to those paths; the other kinds are validated in full.
ALL: dict[str, Any] = {}
_CONTAINERS = {"ports": ALL}  # a nameless container is not our business
_POD_SPEC = {"hostNetwork": ALL, "containers": _CONTAINERS, "initContainers": _CONTAINERS}
_TEMPLATE = {"metadata": ALL, "spec": _POD_SPEC}
READ_PATHS: dict[str, dict[str, Any]] = {
    "Pod": {"metadata": ALL, "spec": _POD_SPEC},
    "CronJob": {"metadata": ALL, "spec": {"jobTemplate": {"spec": {"template": _TEMPLATE}}}},
    **{kind: {"metadata": ALL, "spec": {"template": _TEMPLATE}}
       for kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController")},
}  # fmt: skip


def schema_file(api_version: str, kind: str) -> str:
    """The schema of a kind: `<kind>.json` for core kinds; `<group>-<version>-<kind>.json` for a
    dialect's kinds (generated from the dialect's published CRDs, self-contained)."""
    if not is_dialect_kind(api_version, kind) or (api_version, kind) in BUILTIN_SCHEMA_KINDS:
        return f"{kind.lower()}.json"
    group, _, version = api_version.rpartition("/")
    return f"{group}-{version}-{kind.lower()}.json"


@cache
def _validator(api_version: str, kind: str) -> Draft202012Validator:
    defs = _read("definitions.json")["$defs"]
    schema = dict(_read(schema_file(api_version, kind)))
    if kind in READ_PATHS:
        schema = prune(schema, READ_PATHS[kind], defs)
    from jsonschema import Draft202012Validator

    # Inlined: resolving $refs through `referencing` at each use is jsonschema's main cost.
    return Draft202012Validator(inline(schema, defs, 0))


@cache
def _fast(api_version: str, kind: str) -> Callable[[Any], Any] | None:
    """The same inlined schema as generated code (fastjsonschema): about 5x faster on valid
    documents, which are nearly all (dense 10,000: 0.8 s instead of 3.8 s). It only lets a document
    skip jsonschema; a document it rejects goes through jsonschema, which words the errors, so the
    problems reported are the same. Formats and defaults are off, as in jsonschema's validation."""
    full = _validator(api_version, kind).schema
    if not isinstance(full, dict):
        return None
    schema = {k: v for k, v in full.items() if k != "$schema"}
    import fastjsonschema

    try:
        return fastjsonschema.compile(schema, use_default=False, use_formats=False)
    except Exception:  # noqa: BLE001 - a schema it cannot compile (a regex re rejects...): jsonschema alone
        return None


def _passes(fast: Callable[[Any], Any] | None, obj: LMap) -> bool:
    if fast is None:
        return False
    try:
        fast(obj)
    except Exception:  # noqa: BLE001 - invalid, or beyond the generated code: jsonschema decides and words it
        return False
    return True


def inline(schema: Any, defs: dict[str, Any], depth: int) -> Any:
    """`schema` with every $ref replaced by its definition (the kinds read have no cycles)."""
    if depth > 64:
        raise ValueError("schema definitions nest too deeply (a cycle?)")
    if isinstance(schema, dict):
        if "$ref" in schema:
            return inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, depth + 1)
        return {k: inline(v, defs, depth + 1) for k, v in schema.items()}
    if isinstance(schema, list):
        return [inline(v, defs, depth + 1) for v in schema]
    return schema


def prune(schema: dict[str, Any], read: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """`schema` restricted to the properties in `read` (ALL keeps a subtree whole)."""
    if read is ALL:
        return schema
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "items" in schema:
        return {**schema, "items": prune(schema["items"], read, defs)}
    props = schema.get("properties", {})
    out = {k: v for k, v in schema.items() if k not in ("properties", "required")}
    out["properties"] = {k: prune(props[k], sub, defs) for k, sub in read.items() if k in props}
    out["required"] = [r for r in schema.get("required", []) if r in read]
    return out


def kubernetes_version() -> str:
    return str(_read("definitions.json")["x-kubernetes-version"])


def validate(objects: Sequence[LMap]) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for obj in objects:
        if (obj.get("apiVersion"), obj["kind"]) in UNVALIDATED_KINDS:
            continue
        api_version, kind = str(obj.get("apiVersion")), str(obj["kind"])
        if _passes(_fast(api_version, kind), obj):
            continue
        validator = _validator(api_version, kind)
        for error in _leaf_errors(validator.iter_errors(obj)):
            problems.append(InputProblem(SCHEMA_VIOLATION, locate(obj, error.absolute_path), _message(error)))
    return problems


def _leaf_errors(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """One error per offending value: the first at each path (oneOf reports several)."""
    seen: set[tuple[Any, ...]] = set()
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        path = tuple(error.absolute_path)
        if path not in seen:
            seen.add(path)
            yield error


def locate(obj: Any, path: Iterable[Any]) -> Span:
    """The span of the value at `path`: its own for collections, the parent's record for scalars."""
    span: Span = obj.span
    node = obj
    for step in path:
        if isinstance(node, LMap) and step in node:
            span, node = node.value_span(step), node[step]
        elif isinstance(node, LSeq) and isinstance(step, int) and step < len(node):
            span, node = node.item_span(step), node[step]
        else:
            break
    return span


def dotted(path: Iterable[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(object)"


def _message(error: ValidationError) -> str:
    where = dotted(error.absolute_path)
    value = error.instance
    if error.validator == "required":
        return f"{where}: {error.message.split(' is ')[0]} is required but missing"
    if error.validator == "type":
        return f"{where}: {shown(value)} is not {_types(error.validator_value)}"
    if error.validator in ("oneOf", "anyOf"):
        options: Any = error.validator_value
        kinds = [_types(s.get("type", "")) for s in options if isinstance(s, dict)]
        wanted = " or ".join(k for k in kinds if k) or "valid here"
        return f"{where}: {shown(value)} is not {wanted}"
    if error.validator == "enum":
        allowed: Any = error.validator_value
        return f"{where}: {shown(value)} is not one of {', '.join(map(str, allowed))}"
    return f"{where}: {error.message.splitlines()[0][:200]}"


def _types(value: Any) -> str:
    names = [value] if isinstance(value, str) else list(value or [])
    return " or ".join(_TYPE_NAMES.get(n, n) for n in names if n != "null")
