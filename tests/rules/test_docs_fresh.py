"""docs/rules.md is generated from the rule modules and fixtures; a stale copy fails here."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli
from policylint.docs import catalogue
from policylint.registry import default_registry

ROOT = Path(__file__).resolve().parents[2]


def test_committed_rule_docs_are_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == catalogue(default_registry()), "run: policylint docs --out docs"


def test_docs_page_embeds_the_bad_fixture_and_lists_every_rule() -> None:
    text = catalogue(default_registry())
    assert "except: [198.51.100.0/28]  # [NP101]" in text
    for rule in default_registry().rules:
        assert f"## {rule.id} {rule.name}" in text


def test_docs_check_reports_a_stale_file(tmp_path: Path) -> None:
    (tmp_path / "rules.md").write_text("old\n")
    result = CliRunner().invoke(cli, ["docs", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "out of date" in result.output
    assert CliRunner().invoke(cli, ["docs", "--out", str(tmp_path)]).exit_code == 0
    assert CliRunner().invoke(cli, ["docs", "--out", str(tmp_path), "--check"]).exit_code == 0


def test_rules_command_lists_the_catalogue_and_shows_a_page() -> None:
    listing = CliRunner().invoke(cli, ["rules"])
    assert listing.exit_code == 0
    assert "NP102  noncanonical-cidr" in listing.output
    page = CliRunner().invoke(cli, ["rules", "invalid-peer"])
    assert page.exit_code == 0 and page.output.startswith("# NP105 invalid-peer")
    unknown = CliRunner().invoke(cli, ["rules", "nope"])
    assert unknown.exit_code == 2 and "unknown rule 'nope'" in unknown.output
