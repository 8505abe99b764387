"""Merging config layers, preset first, into one Config: rule settings, assumptions, expectations."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from policylint.cni import profile
from policylint.config.layers import Layer
from policylint.config.settings import Config, ConfigError, RuleSetting, lookup
from policylint.findings import Severity
from policylint.model.declared import DECLARED
from policylint.model.dialect_options import CiliumOptions
from policylint.model.policy import Protocol
from policylint.model.workload import ContainerPort, Workload
from policylint.registry import Registry
from policylint.rulespec import Expectation


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
    if "apiserver_cidrs" in data:  # shorthand for NP507's option; `rules: {NP507: ...}` below still wins
        rules["NP507"] = with_apiserver_cidrs(rules.get("NP507", RuleSetting()),
                                              cidrs(layer, ("apiserver_cidrs",), data["apiserver_cidrs"]))
    for key, value in dict(data.get("rules", {})).items():
        rule = lookup(config.registry, str(key), layer.where(("rules", key)))
        rules[rule.id] = merge_setting(rules.get(rule.id, RuleSetting()), value)
    cni = str(data.get("cni", config.cni))
    assumptions = config.assumptions
    if "cni" in data:  # the plugin settles what it can; explicit assumptions still win
        assumptions = profile(cni).assumptions(assumptions)
    assumptions = replace(assumptions, **dict(data.get("assumptions", {})))
    expectations = tuple(expectation(layer, i, item) for i, item in enumerate(data.get("expect", [])))
    exposure = dict(data.get("exposure", {}))
    cilium = config.cilium
    if "cilium" in data:  # a version sets every point; `namespace_labels_widen` may be set on its own
        written = dict(data["cilium"])
        cilium = CiliumOptions.for_version(str(written.get("version", cilium.version)),
                                           bool(written.get("namespace_labels_widen", cilium.namespace_labels_widen)))
    return replace(
        config,
        rules=rules,
        ignore=config.ignore + tuple(data.get("ignore", [])),
        paths=tuple(data.get("paths", config.paths)),
        namespace=data.get("namespace", config.namespace),
        assumptions=assumptions,
        cni=cni,
        cilium=cilium,
        expectations=config.expectations + expectations,
        workloads=config.workloads + declared_workloads(layer),
        ingress_controller=controller_text(exposure["ingress_controller"]) if "ingress_controller" in exposure
        else config.ingress_controller,
        node_cidrs=cidrs(layer, ("exposure", "node_cidrs"), exposure["node_cidrs"]) if "node_cidrs" in exposure
        else config.node_cidrs,
    )


def declared_workloads(layer: Layer) -> tuple[Workload, ...]:
    """`workloads:` of one layer (validated by config/schema.py), located at their config line."""
    out: list[Workload] = []
    for i, item in enumerate(layer.data.get("workloads", [])):
        span = layer.span(("workloads", i))
        ports = tuple(ContainerPort(int(p["port"]), Protocol(p.get("protocol", "TCP")), p.get("name"), span)
                      for p in item.get("ports", []))  # fmt: skip
        out.append(Workload(item["namespace"], item["name"], item.get("kind", "Pod"), dict(item["labels"]), ports,
                            span=span, derived=f"{DECLARED}{span.file}:{span.line}"))  # fmt: skip
    return tuple(out)


def controller_text(value: str | Mapping[str, Any]) -> str:
    """`exposure.ingress_controller` as --ingress-controller takes it: NAMESPACE[:k=v,...]."""
    if isinstance(value, str):
        return value
    selector = ",".join(f"{k}={v}" for k, v in sorted(dict(value.get("selector", {})).items()))
    return str(value["namespace"]) + (f":{selector}" if selector else "")


def cidrs(layer: Layer, key: tuple[str, ...], values: list[str]) -> tuple[str, ...]:
    """Address ranges of the config (`exposure.node_cidrs`, `apiserver_cidrs`), each checked at its line."""
    for i, text in enumerate(values):
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ConfigError(f"{layer.where((*key, i))}: {'.'.join(key)}.{i}: "
                              f"{text!r} is not an address range (CIDR)") from None  # fmt: skip
    return tuple(values)


def with_apiserver_cidrs(setting: RuleSetting, ranges: Sequence[str]) -> RuleSetting:
    """NP507's `apiserver_cidrs` option set (the top-level config key and --apiserver-cidr)."""
    return replace(setting, options={**setting.options, "apiserver_cidrs": list(ranges)})


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
