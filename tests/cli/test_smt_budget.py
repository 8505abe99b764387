"""A spent solver budget turns SMT checks into explicit 'could not decide' findings, never a pass."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

BAD = Path(__file__).parents[2] / "fixtures" / "rules" / "np401_rule_shadowed" / "bad.yaml"


def test_zero_budget_reports_could_not_decide_instead_of_passing() -> None:
    ok = CliRunner().invoke(cli, ["lint", str(BAD), "--enable", "NP401", "--format", "json", "--fail-on", "never"])
    assert "rule-shadowed" in ok.stdout and "could not decide" not in ok.stdout
    spent = CliRunner().invoke(cli, ["lint", str(BAD), "--enable", "NP401", "--format", "json",
                                     "--fail-on", "never", "--smt-budget", "0"])
    assert spent.exit_code == 0
    assert "could not decide" in spent.stdout
