""".policylint.yaml: discovery, `extends` presets, validation with jsonschema, rule settings."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from policylint.engine.flow import Assumptions
from policylint.findings import Severity, Span
from policylint.registry import Registry, default_registry
from policylint.rulespec import Expectation, RuleSpec

CONFIG_NAME = ".policylint.yaml"
PRESETS = ("default", "strict")
Path_ = tuple[str | int, ...]


class ConfigError(Exception):
    """A config file that cannot be used; the message cites file:line."""


@dataclass(frozen=True, slots=True)
class RuleSetting:
    enabled: bool | None = None
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Config:
    registry: Registry
    source: Path | None = None
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)  # by rule id
    ignore: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    namespace: str | None = None
    assumptions: Assumptions = Assumptions()
    expectations: tuple[Expectation, ...] = ()
    smt_timeout_ms: int = 5_000
    smt_budget_seconds: float = 120.0

    def enabled(self, rule: RuleSpec) -> bool:
        if rule.scope == "input":
            return True  # input problems cannot be disabled, only downgraded
        setting = self.rules.get(rule.id)
        if setting is None or setting.enabled is None:
            return rule.enabled_by_default
        return setting.enabled

    def severity(self, rule: RuleSpec) -> Severity:
        setting = self.rules.get(rule.id)
        return setting.severity if setting and setting.severity else rule.default_severity

    def options(self, rule: RuleSpec) -> dict[str, Any]:
        setting = self.rules.get(rule.id)
        return {**rule.defaults, **(setting.options if setting else {})}

    def rule_id(self, key: str) -> str | None:
        """The id of the rule spelt `key` (id, name or redirect), or None."""
        rule = self.registry.get(key)
        return rule.id if rule else None

    def enabled_rules(self) -> tuple[RuleSpec, ...]:
        return tuple(r for r in self.registry.rules if self.enabled(r))

    def with_rules(self, enable: Iterable[str] = (), disable: Iterable[str] = ()) -> Config:
        """Command-line `--enable`/`--disable`; unknown rules raise ConfigError."""
        rules = dict(self.rules)
        for keys, on in ((disable, False), (enable, True)):
            for key in keys:
                rule = lookup(self.registry, key, "command line")
                rules[rule.id] = replace(rules.get(rule.id, RuleSetting()), enabled=on)
        return replace(self, rules=rules)

    def only(self, rule_ids: Iterable[str]) -> Config:
        """Exactly these rules enabled (input rules always run): the fixture tests' setting."""
        wanted = set(rule_ids)
        rules = {
            r.id: replace(self.rules.get(r.id, RuleSetting()), enabled=r.id in wanted) for r in self.registry.rules
        }
        return replace(self, rules=rules)


def lookup(registry: Registry, key: str, where: str) -> RuleSpec:
    rule = registry.get(str(key))
    if rule is None:
        close = difflib.get_close_matches(str(key), list(registry.spellings()), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{where}: unknown rule {key!r}{hint}")
    return rule


def find_config(start: Path) -> Path | None:
    """The nearest `.policylint.yaml` in `start` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None, registry: Registry | None = None) -> Config:
    """The config at `path`, or the default config when None. Raises ConfigError."""
    registry = registry or default_registry()
    if path is None:
        return Config(registry)
    return build_config(registry, read_layers(path, registry, ()))


@dataclass(frozen=True, slots=True)
class Layer:
    """One validated config document (a file or a preset) with the line of every path in it."""

    name: str
    data: Mapping[str, Any]
    lines: Mapping[Path_, int]
    folder: Path | None

    def where(self, path: Path_) -> str:
        while path not in self.lines and path:
            path = path[:-1]
        line = self.lines.get(path)
        return f"{self.name}:{line}" if line else self.name

    def span(self, path: Path_) -> Span:
        while path not in self.lines and path:
            path = path[:-1]
        return Span(self.name, self.lines.get(path, 1), 1)


def read_layers(path: Path, registry: Registry, seen: tuple[Path, ...]) -> list[Layer]:
    """The chain of layers for `path`: its `extends` first (recursively), then itself."""
    resolved = path.resolve()
    if resolved in seen:
        raise ConfigError(f"{path}: 'extends' loops back to this file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    layer = parse_layer(str(path), text, path.parent)
    validate(layer, registry)
    base = layer.data.get("extends", "default")
    if base in PRESETS:
        parents = [preset_layer(base, registry)] if base == "strict" else []
    else:
        parents = read_layers(path.parent / str(base), registry, (*seen, resolved))
    return [*parents, layer]


def preset_layer(name: str, registry: Registry) -> Layer:
    text = resources.files("policylint.presets").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    layer = parse_layer(f"<preset {name}>", text, None)
    validate(layer, registry)
    return layer


def parse_layer(name: str, text: str, folder: Path | None) -> Layer:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if node is None:
        return Layer(name, {}, {}, folder)
    lines: dict[Path_, int] = {}
    data = to_python(node, (), lines)
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: the config must be a mapping")
    return Layer(name, data, lines, folder)


def to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    """Plain data from a composed node, recording the 1-based line of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node)
            out[key] = to_python(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return scalar(node)


def scalar(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node)


def schema_error(layer: Layer, error: jsonschema.ValidationError) -> str:
    path = tuple(error.absolute_path)
    dotted = ".".join(str(p) for p in path) or "(top level)"
    return f"{layer.where(path)}: {dotted}: {error.message}"


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
BASE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "extends": {"type": "string", "minLength": 1},
        "rules": {"type": "object"},
        "ignore": {"type": "array", "items": {"type": "string"}},
        "paths": {"type": "array", "items": {"type": "string"}},
        "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
        "assumptions": {
            "type": "object",
            "properties": {"ipblocks_match_pods": {"type": "boolean"}, "host_network_selectable": {"type": "boolean"}},
            "additionalProperties": False,
        },
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


def build_config(registry: Registry, layers: list[Layer]) -> Config:
    """Merge the layers: later ones override rule settings, namespace and assumptions."""
    config = Config(registry, source=Path(layers[-1].name))
    if layers[0].name == "<preset strict>":
        config = config.with_rules(enable=[r.id for r in registry.rules if r.scope != "input"])
    for layer in layers:
        config = apply_layer(config, layer)
    return config


def apply_layer(config: Config, layer: Layer) -> Config:
    data = layer.data
    rules = dict(config.rules)
    for key, value in dict(data.get("rules", {})).items():
        rule = lookup(config.registry, str(key), layer.where(("rules", key)))
        rules[rule.id] = merge_setting(rules.get(rule.id, RuleSetting()), value)
    assumptions = replace(config.assumptions, **dict(data.get("assumptions", {})))
    expectations = tuple(expectation(layer, i, item) for i, item in enumerate(data.get("expect", [])))
    return replace(
        config,
        rules=rules,
        ignore=config.ignore + tuple(data.get("ignore", [])),
        paths=tuple(data.get("paths", config.paths)),
        namespace=data.get("namespace", config.namespace),
        assumptions=assumptions,
        expectations=config.expectations + expectations,
    )


def merge_setting(setting: RuleSetting, value: str | Mapping[str, Any]) -> RuleSetting:
    if isinstance(value, str):
        return replace(setting, enabled=value == "enable")
    options = {k: v for k, v in value.items() if k not in ("severity", "enabled")}
    return RuleSetting(
        enabled=value.get("enabled", True if setting.enabled is None else setting.enabled),
        severity=Severity(value["severity"]) if "severity" in value else setting.severity,
        options={**setting.options, **options},
    )


def expectation(layer: Layer, index: int, item: Mapping[str, Any]) -> Expectation:
    verdict: Literal["allow", "deny"] = "allow" if "allow" in item else "deny"
    body = item[verdict]
    return Expectation(
        verdict=verdict,
        source=body["from"],
        target=body["to"],
        port=body.get("port"),
        except_=tuple(body.get("except", ())),
        span=layer.span(("expect", index)),
    )
