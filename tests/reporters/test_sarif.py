"""SARIF output validates against the official SARIF 2.1.0 schema and carries rule metadata.

The schema is not vendored (its file carries no licence statement), so the validation test
uses the copy in ../shared/schemas and is skipped where that folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from policylint.findings import Finding, Report, Severity, Span
from policylint.registry import default_registry
from policylint.reporters import sarif

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def report() -> Report:
    return Report(
        [
            Finding(
                "NP101",
                "invalid-ipblock",
                Severity.ERROR,
                Span("k8s/a.yaml", 13, 21, 13, 36),
                "bad except",
                (Span("k8s/a.yaml", 12, 13),),
            ),
            Finding("NP901", "unused-suppression", Severity.INFO, Span("k8s/b.yaml", 3, 5), "unused suppression"),
            Finding("NP004", "unreadable-input", Severity.ERROR, Span("<stdin>", 0, 0), "empty standard input"),
        ]
    )


def log() -> dict:  # type: ignore[type-arg]
    return json.loads(sarif.render(report(), default_registry()))  # type: ignore[no-any-return]


@pytest.mark.skipif(not SCHEMA.is_file(), reason="needs ../shared/schemas/sarif-schema-2.1.0.json")
def test_sarif_validates_against_the_official_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(log())


def test_results_carry_level_rule_index_and_region() -> None:
    run = log()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == "NP101"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 13, "startColumn": 21, "endLine": 13, "endColumn": 36}
    assert first["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 12
    assert run["results"][1]["level"] == "note"
    assert "locations" not in run["results"][2]  # stdin, no line: no physical location


def test_driver_rules_come_from_the_registry_with_help() -> None:
    rules = {r["id"]: r for r in log()["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {r.id for r in default_registry().rules}
    peer = rules["NP105"]
    assert peer["name"] == "invalid-peer"
    assert peer["shortDescription"]["text"].startswith("A from/to peer is empty")
    assert peer["defaultConfiguration"]["level"] == "error"
    assert "## Why it matters" in peer["help"]["markdown"]
