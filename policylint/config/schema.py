"""Validation of a config layer: the JSON Schema (with one entry per rule spelling) and its messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policylint.cni import names as cni_names
from policylint.config.layers import Layer
from policylint.config.settings import ConfigError, lookup
from policylint.findings import Severity
from policylint.registry import Registry
from policylint.rulespec import RuleSpec

if TYPE_CHECKING:
    import jsonschema

SEVERITIES = [s.value for s in Severity]
EXPECT_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "from": {"type": "string", "minLength": 1},
        "to": {"type": "string", "minLength": 1},
        "port": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 65535}, {"type": "string"}]},
        "except": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["from", "to"],
    "additionalProperties": False,
}
_NAME = {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253}
# A workload that exists outside the input (config/merge.py declared_workloads; docs/operators.md).
WORKLOAD_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "namespace": {**_NAME, "maxLength": 63},
        "name": _NAME,
        "kind": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "ports": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                    "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 15},
                    "protocol": {"enum": ["TCP", "UDP", "SCTP"]},
                },
                "required": ["port"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["namespace", "name", "labels"],
    "additionalProperties": False,
}
_LABEL = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_NAMESPACE = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
EXPOSURE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ingress_controller": {
            "oneOf": [
                # NAMESPACE[:k=v,...], the --ingress-controller form
                {"type": "string", "pattern": f"^{_NAMESPACE}(:({_LABEL}={_LABEL}?)(,{_LABEL}={_LABEL}?)*)?$"},
                {
                    "type": "object",
                    "properties": {
                        "namespace": {"type": "string", "pattern": f"^{_NAMESPACE}$", "maxLength": 63},
                        "selector": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                    "required": ["namespace"],
                    "additionalProperties": False,
                },
            ]
        },
        "node_cidrs": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
    "additionalProperties": False,
}
BASE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "extends": {"type": "string", "minLength": 1},
        "rules": {"type": "object"},
        "ignore": {"type": "array", "items": {"type": "string"}},
        "paths": {"type": "array", "items": {"type": "string"}},
        "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
        "cni": {"enum": cni_names()},
        "apiserver_cidrs": {"type": "array", "items": {"type": "string"}},  # NP507's option (merge.py)
        "exposure": EXPOSURE,
        "cilium": {
            "type": "object",
            "properties": {
                "version": {"type": "string", "pattern": "^1\\.[0-9]+$"},
                "namespace_labels_widen": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
        "assumptions": {
            "type": "object",
            "properties": {"ipblocks_match_pods": {"type": "boolean"}, "host_network_selectable": {"type": "boolean"}},
            "additionalProperties": False,
        },
        "workloads": {"type": "array", "items": WORKLOAD_BODY},
        "expect": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"allow": EXPECT_BODY, "deny": EXPECT_BODY},
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def rule_setting_schema(rule: RuleSpec) -> dict[str, Any]:
    props = {"severity": {"enum": SEVERITIES}, **dict(rule.options_schema).get("properties", {})}
    if rule.scope != "input":
        props["enabled"] = {"type": "boolean"}
    return {
        "oneOf": [
            {"enum": ["enable", "disable"] if rule.scope != "input" else ["enable"]},
            {"type": "object", "properties": props, "additionalProperties": False},
        ]
    }


def config_schema(registry: Registry) -> dict[str, Any]:
    """The base schema plus one entry under `rules` per id, name and redirect of every rule."""
    rules: dict[str, Any] = {}
    for key in registry.spellings():
        rule = registry.get(key)
        assert rule is not None
        rules[key] = rule_setting_schema(rule)
    schema = {**BASE_SCHEMA, "properties": dict(BASE_SCHEMA["properties"])}
    schema["properties"]["rules"] = {"type": "object", "properties": rules}
    return schema


def validate(layer: Layer, registry: Registry) -> None:
    rules = layer.data.get("rules")
    if isinstance(rules, dict):
        for key, value in rules.items():
            rule = lookup(registry, str(key), layer.where(("rules", key)))
            if rule.scope == "input" and value == "disable":
                raise ConfigError(
                    f"{layer.where(('rules', key))}: {rule.id} {rule.name} reports input problems; "
                    "it cannot be disabled, only given another severity"
                )
    import jsonschema  # here: only a config file needs it, and it costs 60 ms to import

    validator = jsonschema.Draft202012Validator(config_schema(registry))
    errors = sorted(validator.iter_errors(dict(layer.data)), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        raise ConfigError("\n".join(schema_error(layer, best(e)) for e in errors))


def best(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a failed oneOf, the deepest sub-error (e.g. the bad option value, not 'not valid under any')."""
    if not error.context:
        return error
    deepest = max(error.context, key=lambda e: len(e.absolute_path))
    return best(deepest) if len(deepest.absolute_path) > len(error.absolute_path) else error


def schema_error(layer: Layer, error: jsonschema.ValidationError) -> str:
    path = tuple(error.absolute_path)
    dotted = ".".join(str(p) for p in path) or "(top level)"
    return f"{layer.where(path)}: {dotted}: {error.message}"
