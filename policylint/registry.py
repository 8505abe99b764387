"""Discover the rule modules of `policylint.rules`, validate them, look them up by id or name."""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any

from policylint.rulespec import SCOPES, RuleSpec

RULE_ID = re.compile(r"^NP\d{3}$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED_HEADINGS = ("What it flags", "Why it matters", "Example", "Fix", "Options", "References")
HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)

# Retired or renamed ids/names -> current id. Ids are never reused.
REDIRECTS: Mapping[str, str] = MappingProxyType({})


class RegistryError(Exception):
    """A rule module is malformed; raised at discovery so it fails in tests, not in users' hands."""


@dataclass(frozen=True, slots=True)
class RuleEntry:
    spec: RuleSpec
    module: str  # module stem, e.g. np101_invalid_ipblock (also the fixture folder name)
    doc: str  # the module docstring


class Registry:
    """An immutable catalogue of rules, ordered by id."""

    def __init__(self, entries: list[RuleEntry], redirects: Mapping[str, str] = REDIRECTS) -> None:
        self._entries = tuple(sorted(entries, key=lambda e: e.spec.id))
        self._by_key: dict[str, RuleEntry] = {}
        for entry in self._entries:
            for key in (entry.spec.id, entry.spec.name):
                if key in self._by_key:
                    raise RegistryError(f"{entry.module}: duplicate rule id or name {key!r}")
                self._by_key[key] = entry
        self._redirects = dict(redirects)
        for old, new in self._redirects.items():
            if old in self._by_key or new not in self._by_key:
                raise RegistryError(f"bad redirect {old!r} -> {new!r}")

    @property
    def rules(self) -> tuple[RuleSpec, ...]:
        return tuple(e.spec for e in self._entries)

    @property
    def entries(self) -> tuple[RuleEntry, ...]:
        return self._entries

    @property
    def redirects(self) -> Mapping[str, str]:
        return MappingProxyType(self._redirects)

    def get(self, key: str) -> RuleSpec | None:
        """Look a rule up by id (any case), kebab-case name, or a redirected old id/name."""
        entry = self.entry(key)
        return entry.spec if entry else None

    def entry(self, key: str) -> RuleEntry | None:
        key = key.strip()
        if RULE_ID.match(key.upper()):
            key = key.upper()
        key = self._redirects.get(key, key)
        return self._by_key.get(key)

    def spellings(self) -> Iterator[str]:
        """Every accepted spelling: ids, names and redirects."""
        yield from self._by_key
        yield from self._redirects


def check_doc(doc: str) -> list[str]:
    """Problems with a rule docstring: the required `## ` headings must appear, in order, once."""
    found = HEADING.findall(doc)
    if found != list(REQUIRED_HEADINGS):
        return [f"docstring headings are {found}, expected {list(REQUIRED_HEADINGS)}"]
    return []


def check_spec(stem: str, spec: RuleSpec) -> list[str]:
    """Problems with a RULE constant of the module `stem`."""
    problems: list[str] = []
    if not RULE_ID.match(spec.id):
        problems.append(f"id {spec.id!r} is not NP followed by three digits")
    if not RULE_NAME.match(spec.name):
        problems.append(f"name {spec.name!r} is not kebab-case")
    expected = f"{spec.id.lower()}_{spec.name.replace('-', '_')}"
    if stem != expected:
        problems.append(f"module must be named {expected}.py")
    if not spec.summary.endswith(".") or "\n" in spec.summary:
        problems.append("summary must be one sentence ending with a period")
    if spec.scope not in SCOPES:
        problems.append(f"scope {spec.scope!r} is not one of {SCOPES}")
    if not callable(spec.check):
        problems.append("check is not callable")
    problems += check_options(spec)
    return problems


def check_options(spec: RuleSpec) -> list[str]:
    schema = dict(spec.options_schema)
    if not schema:
        return [] if not spec.defaults else ["defaults given without an options_schema"]
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return ["options_schema must be {} or an object schema with 'properties'"]
    import jsonschema  # here, not at the top: only discovery needs it, and it costs 60 ms to import

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(dict(spec.defaults), schema)
    except jsonschema.SchemaError as exc:
        return [f"options_schema is not a valid JSON Schema: {exc.message}"]
    except jsonschema.ValidationError as exc:
        return [f"defaults do not validate against options_schema: {exc.message}"]
    missing = set(schema["properties"]) - set(spec.defaults)
    return [f"options without a default: {sorted(missing)}"] if missing else []


def _entry(module: ModuleType, stem: str) -> RuleEntry:
    spec = getattr(module, "RULE", None)
    if not isinstance(spec, RuleSpec):
        raise RegistryError(f"{stem}: no RULE = RuleSpec(...) constant")
    doc = module.__doc__ or ""
    problems = check_spec(stem, spec) + check_doc(doc)
    if problems:
        raise RegistryError(f"{stem}: " + "; ".join(problems))
    return RuleEntry(spec, stem, doc)


def discover(package: str = "policylint.rules", redirects: Mapping[str, str] = REDIRECTS) -> Registry:
    """Import every module of `package` in sorted order; each must define a valid rule."""
    pkg = importlib.import_module(package)
    stems = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))
    entries = [_entry(importlib.import_module(f"{package}.{stem}"), stem) for stem in stems]
    return Registry(entries, redirects)


class DeferredRegistry(Registry):
    """A registry discovered on first use.

    Commands that never consult a rule (query, matrix, serve, diff without a config) then do not
    import the rule modules, and z3 and jsonschema with them: a third of a cached query's time.
    """

    def __init__(self, load: Callable[[], Registry]) -> None:
        self._load = load

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not set yet: the ones Registry.__init__ would have set.
        if name not in ("_entries", "_by_key", "_redirects"):
            raise AttributeError(name)
        real = self._load()
        self._entries, self._by_key, self._redirects = real._entries, real._by_key, real._redirects
        return getattr(self, name)


@functools.cache
def default_registry() -> Registry:
    """The registry of the installed rule catalogue (built once, when first consulted; it is immutable)."""
    return DeferredRegistry(discover)
