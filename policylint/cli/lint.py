"""`policylint lint PATHS...`: run the rule catalogue and report the findings."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from policylint import api
from policylint.cli.common import handle_errors, input_options, input_paths, load_input, resolve_config
from policylint.config import Config
from policylint.findings import Report, Severity
from policylint.reporters import github, json, sarif, text

FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "info", "never")


def render(report: Report, fmt: str, config: Config, color: bool) -> str:
    if fmt == "json":
        return json.render(report)
    if fmt == "sarif":
        return sarif.render(report, config.registry)
    if fmt == "github":
        return github.render(report)
    return text.render(report, color=color)


def exit_code(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in report.findings) else 0


def verbose_notes(report: Report, config: Config) -> None:
    click.echo(f"config: {config.source or 'built-in defaults'}", err=True)
    click.echo(f"rules enabled: {', '.join(r.id for r in config.enabled_rules())}", err=True)
    for kind, count in sorted(report.skipped_kinds.items()):
        click.echo(f"skipped kind: {kind} ({count})", err=True)
    for skipped in report.skipped_inputs:
        click.echo(f"skipped input: {skipped}", err=True)


@click.command("lint")
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding has at least this severity.",
)
@click.option("--enable", multiple=True, metavar="RULE", help="Enable a rule (id or name); repeatable.")
@click.option("--disable", multiple=True, metavar="RULE", help="Disable a rule (id or name); repeatable.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--verbose", "-v", is_flag=True, help="List the config, enabled rules and skipped inputs on stderr.")
@click.option(
    "--only-files",
    is_flag=True,
    help="Report only findings in PATHS; the cluster is read from the config's `paths` plus PATHS "
    "(for pre-commit, which passes the changed files).",
)
@click.option("--smt-timeout", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Milliseconds per solver call; an undecided check becomes a 'could not decide' finding.")
@click.option("--smt-budget", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="Seconds of solver time for the whole run; past it, checks are reported undecided.")
@input_options
def lint_command(paths: tuple[str, ...], **opts: Any) -> None:
    """Lint the NetworkPolicies in PATHS (files, directories, - for stdin) as one cluster.

    Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage, config or input error.
    """
    with handle_errors(opts["debug"]):
        config = resolve_config(opts).with_rules(enable=opts["enable"], disable=opts["disable"])
        config = replace(config, smt_timeout_ms=opts["smt_timeout"], smt_budget_seconds=opts["smt_budget"])
        roots = api.cluster_roots(paths, config) if opts["only_files"] else list(paths)
        source = load_input(input_paths(roots, config), config)
        report = api.lint(source, config, only=list(paths) if opts["only_files"] else None, debug=opts["debug"])
        if opts["verbose"]:
            verbose_notes(report, config)
        color = opts["fmt"] == "text" and not opts["output"] and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        output = render(report, opts["fmt"], config, color)
        if opts["output"]:
            Path(opts["output"]).write_text(output, encoding="utf-8")
        else:
            click.echo(output, nl=False)
    sys.exit(exit_code(report, opts["fail_on"]))
