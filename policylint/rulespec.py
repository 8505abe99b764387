"""The rule API: `RuleSpec` (what a rule is), `RuleContext` (what its check sees), and `Hit`.

A rule module under `rules/` has a docstring (its documentation), a `RULE = RuleSpec(...)`
constant and a `check(ctx) -> Iterator[Hit]` generator. The runner stamps id, name and
severity on every `Hit`; a rule never does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from policylint.engine.flow import Assumptions
from policylint.findings import NO_SPAN, Hit, Severity, Span
from policylint.model.cluster import Cluster
from policylint.model.policy import NetworkPolicy

__all__ = ["Expectation", "Hit", "RuleContext", "RuleSpec", "Scope", "SCOPES", "no_check"]

# input:   problems the loader reports (NP0xx); the module only documents them, its check yields nothing.
# cluster: check(ctx) runs once per lint run.
# policy:  check(ctx) runs once per NetworkPolicy, with ctx.policy set.
# meta:    findings the runner itself produces (unused suppressions, NP9xx); check yields nothing.
Scope = Literal["input", "cluster", "policy", "meta"]
SCOPES: tuple[str, ...] = ("input", "cluster", "policy", "meta")

T = TypeVar("T")


def no_check(ctx: RuleContext) -> Iterator[Hit]:
    """The check of input and meta rules, whose findings come from the loader or the runner."""
    return iter(())


CheckFn = Callable[["RuleContext"], Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str  # NP + three digits, e.g. NP201
    name: str  # kebab-case, e.g. selector-matches-nothing
    summary: str  # one sentence ending with a period
    default_severity: Severity
    enabled_by_default: bool
    scope: Scope
    check: CheckFn = no_check
    options_schema: Mapping[str, Any] = field(default_factory=dict)  # JSON Schema of an object, or {}
    defaults: Mapping[str, Any] = field(default_factory=dict)
    needs_smt: bool = False
    # Rule ids whose findings at the same location step aside when this rule fires there: one
    # finding for one rule (e.g. `egress: [{}]` is NP302's, not also NP304's and NP305's).
    supersedes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Expectation:
    """One item of the config's `expect` list: `{allow|deny: {from, to, port?, except?}}`."""

    verdict: Literal["allow", "deny"]
    source: str
    target: str
    port: int | str | None = None
    except_: tuple[str, ...] = ()
    span: Span = NO_SPAN  # where it is written in the config file


class Memo:
    """Per-run cache shared by every context of one lint run (one evaluator, one SMT encoder...)."""

    def __init__(self) -> None:
        self._values: dict[str, object] = {}

    def get(self, key: str, factory: Callable[[], T]) -> T:
        if key not in self._values:
            self._values[key] = factory()
        value: T = self._values[key]  # type: ignore[assignment]
        return value


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a check sees. Build expensive helpers through `shared()` so they are built once per run."""

    cluster: Cluster
    options: Mapping[str, Any] = field(default_factory=dict)
    assumptions: Assumptions = Assumptions()
    expectations: tuple[Expectation, ...] = ()
    current_policy: NetworkPolicy | None = None
    smt_timeout_ms: int = 5_000  # per solver call
    smt_budget_seconds: float = 120.0  # for all solver calls of the run together
    memo: Memo = field(default_factory=Memo, compare=False)
    # The cluster as written (cluster: as the network plugin enforces it; see policylint/enforced.py).
    written: Cluster | None = None
    cni: str = "generic"  # the network plugin named by the `cni:` setting
    namespace_set: bool = False  # the user named the default namespace (--default-namespace, `namespace:`)
    ingress_controller: str | None = None  # the config's exposure.ingress_controller
    node_cidrs: tuple[str, ...] = ()  # the config's exposure.node_cidrs

    @property
    def policy(self) -> NetworkPolicy:
        """The policy under check (policy-scope rules only)."""
        if self.current_policy is None:
            raise RuntimeError("ctx.policy is only set for rules with scope 'policy'")
        return self.current_policy

    @property
    def evaluator(self) -> Any:
        """The concrete engine (`policylint.engine.concrete.Evaluator`), built lazily, once per run."""
        return self.shared("engine.concrete.Evaluator", self._build_evaluator)

    def exposure(self) -> Any:
        """The ways in from outside (`policylint.queries.exposure.ExposureReport`), under the config's
        ingress controller and node ranges, built once per run."""
        from policylint.queries.exposure import SHARED_KEY, exposure, with_controller_option

        controller = with_controller_option(self.ingress_controller)
        return self.shared(SHARED_KEY, lambda: exposure(self.cluster, self.assumptions, controller=controller,
                                                        node_cidrs=self.node_cidrs))  # fmt: skip

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """A value built once per lint run and shared by every rule (e.g. an SMT encoder)."""
        return self.memo.get(key, factory)

    def for_policy(self, policy: NetworkPolicy) -> RuleContext:
        return replace(self, current_policy=policy)

    def with_options(self, options: Mapping[str, Any]) -> RuleContext:
        return replace(self, options=options)

    def _build_evaluator(self) -> Any:
        module = importlib.import_module("policylint.engine.concrete")
        return module.Evaluator(self.cluster, self.assumptions)
