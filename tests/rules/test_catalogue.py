"""The registry contract: every rule module is well-formed, documented and has its fixtures."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
import yaml

from policylint.findings import Severity
from policylint.registry import REQUIRED_HEADINGS, Registry, RegistryError, RuleEntry, check_doc, default_registry
from policylint.rulespec import RuleSpec

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "rules"
ENTRIES = default_registry().entries


def test_catalogue_holds_the_input_validity_and_meta_rules() -> None:
    ids = {e.spec.id for e in ENTRIES}
    assert {"NP001", "NP002", "NP003", "NP004", "NP005", "NP006"} <= ids
    assert {"NP101", "NP102", "NP103", "NP104", "NP105", "NP106", "NP107", "NP901"} <= ids


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.module)
def test_rule_docstring_has_the_required_headings_in_order(entry: RuleEntry) -> None:
    assert check_doc(entry.doc) == []
    for heading in REQUIRED_HEADINGS:
        section = entry.doc.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
        assert section.strip(), f"{entry.module}: section {heading!r} is empty"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.module)
def test_rule_has_bad_and_good_fixtures(entry: RuleEntry) -> None:
    if entry.spec.scope == "input":
        pytest.skip("input problems come from the loader; see fixtures/bad_input")
    folder = FIXTURES / entry.module
    assert (folder / "bad.yaml").is_file() and (folder / "good.yaml").is_file()
    assert "# [" + entry.spec.id in (folder / "bad.yaml").read_text()


def test_no_orphan_fixture_folders() -> None:
    modules = {e.module for e in ENTRIES}
    orphans = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in modules)
    assert orphans == []


def test_lookup_accepts_id_in_any_case_and_name() -> None:
    registry = default_registry()
    rule = registry.get("invalid-ipblock")
    assert rule is not None and rule.id == "NP101"
    assert registry.get("np101") is rule and registry.get("NP101") is rule
    assert registry.get("no-such-rule") is None


def test_strict_preset_names_only_known_rules() -> None:
    text = (ROOT / "policylint" / "presets" / "strict.yaml").read_text()
    for key in yaml.safe_load(text).get("rules", {}):
        assert default_registry().get(key) is not None, key


def fake_module(stem: str, spec: object, doc: str | None = None) -> types.ModuleType:
    module = types.ModuleType(stem)
    module.RULE = spec  # type: ignore[attr-defined]
    module.__doc__ = doc if doc is not None else ENTRIES[0].doc
    return module


SPEC = RuleSpec("NP777", "some-rule", "Flags things.", Severity.WARNING, True, "cluster")


@pytest.mark.parametrize(
    ("stem", "spec", "doc", "problem"),
    [
        ("np777_some_rule", None, None, "no RULE"),
        ("np777_other_name", SPEC, None, "module must be named np777_some_rule.py"),
        ("np777_some_rule", SPEC, "## What it flags\n\nx\n", "docstring headings"),
        (
            "np777_some_rule",
            RuleSpec("NP777", "some-rule", "No period", Severity.INFO, True, "cluster"),
            None,
            "summary",
        ),
        ("np77_some_rule", RuleSpec("NP77", "some-rule", "X.", Severity.INFO, True, "cluster"), None, "three digits"),
        (
            "np777_some_rule",
            RuleSpec("NP777", "some-rule", "X.", Severity.INFO, True, "cluster", options_schema={"type": "object"}),
            None,
            "'properties'",
        ),
        (
            "np777_some_rule",
            RuleSpec(
                "NP777",
                "some-rule",
                "X.",
                Severity.INFO,
                True,
                "cluster",
                options_schema={"type": "object", "properties": {"port": {"type": "integer"}}},
                defaults={"port": "53"},
            ),
            None,
            "defaults do not validate",
        ),
    ],
)
def test_malformed_rule_modules_are_rejected(stem: str, spec: object, doc: str | None, problem: str) -> None:
    from policylint.registry import _entry

    with pytest.raises(RegistryError, match=problem):
        _entry(fake_module(stem, spec, doc), stem)


def test_duplicate_ids_and_names_are_rejected() -> None:
    entry = ENTRIES[0]
    clash = RuleEntry(RuleSpec("NP778", entry.spec.name, "X.", Severity.INFO, True, "cluster"), "x", entry.doc)
    with pytest.raises(RegistryError, match="duplicate"):
        Registry([entry, clash])


def test_redirects_resolve_old_ids() -> None:
    registry = Registry(list(ENTRIES), redirects={"NP199": "NP101"})
    rule = registry.get("np199")
    assert rule is not None and rule.id == "NP101"
