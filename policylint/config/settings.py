"""The resolved configuration: which rules run, at what severity, with which options."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policylint.engine.flow import Assumptions
from policylint.findings import Severity, close_match
from policylint.model.dialect_options import CiliumOptions

if TYPE_CHECKING:  # annotations only: the rule catalogue's types are not needed to hold a config
    from policylint.model.workload import Workload
    from policylint.registry import Registry
    from policylint.rulespec import Expectation, RuleSpec


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
    cni: str = "generic"  # the network plugin (policylint/cni/profiles.json)
    with_staged: bool = False  # evaluate Calico Staged* policies as if enforced
    cilium: CiliumOptions = CiliumOptions()  # the Cilium version whose semantics are followed (`cilium:`)
    expectations: tuple[Expectation, ...] = ()
    workloads: tuple[Workload, ...] = ()  # declared outside the input (`workloads:`), with their config line
    smt_timeout_ms: int = 5_000
    smt_budget_seconds: float = 120.0
    # `exposure:`: where the ingress controller runs (NAMESPACE[:k=v,...], as --ingress-controller)
    # and the node address ranges (as --node-cidr); the exposure command and NP52x read them.
    ingress_controller: str | None = None
    node_cidrs: tuple[str, ...] = ()

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
        close = close_match(str(key), registry.spellings())
        hint = f"; did you mean {close!r}?" if close else ""
        raise ConfigError(f"{where}: unknown rule {key!r}{hint}")
    return rule
