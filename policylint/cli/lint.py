"""`policylint lint PATHS...`: run the rule catalogue and report the findings."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from typing import Any

import click

from policylint import api
from policylint.cli.common import (
    apiserver_option,
    handle_errors,
    input_options,
    input_paths,
    load_input,
    resolve_config,
    terminal_options,
    write_output,
    write_streamed,
)
from policylint.color import enabled as colors_on
from policylint.config import Config
from policylint.findings import Finding, Report, Severity
from policylint.progress import Progress
from policylint.reporters import github, json, sarif, text

FORMATS = ("text", "concise", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "info", "never")


def render(report: Report, fmt: str, config: Config, color: bool) -> str:
    if fmt == "json":
        return json.render(report)
    if fmt == "sarif":
        return sarif.render(report, config.registry)
    if fmt == "github":
        return github.render(report)
    return text.render(report, color=color, snippets=fmt == "text")


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
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
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
              help="Milliseconds per solver call (counted in z3 resource units, so the same on every run); "
              "an undecided check becomes a 'could not decide' finding.")
@click.option("--smt-budget", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="Seconds of symbolic work for the whole run, formula building included (deterministic "
              "units); past it, checks are reported undecided.")
@click.option("--statistics", is_flag=True, help="After the report, how many findings each rule made (on stderr).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (errors reading input still exit 2).")
@apiserver_option
@terminal_options
@input_options
def lint_command(paths: tuple[str, ...], **opts: Any) -> None:
    """Lint the NetworkPolicies in PATHS (files, directories, - for stdin) as one cluster.

    Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage, config or input error.
    """
    with handle_errors(opts["debug"]), Progress(quiet=opts["quiet"]) as progress:
        config = resolve_config(opts).with_rules(enable=opts["enable"], disable=opts["disable"])
        config = replace(config, smt_timeout_ms=opts["smt_timeout"], smt_budget_seconds=opts["smt_budget"])
        roots = api.cluster_roots(paths, config) if opts["only_files"] else list(paths)
        if opts["only_files"] and not roots:  # pre-commit (always_run) with no file and no `paths:`
            sys.exit(0)
        progress.stage("reading files")
        source = load_input(input_paths(roots, config), config, cache=not opts["no_cache"])
        progress.stage(f"running {len(config.enabled_rules())} rules")
        report = api.lint(source, config, only=list(paths) if opts["only_files"] else None, debug=opts["debug"])
        if opts["only_files"]:  # a commit that deletes or renames manifests: what it breaks elsewhere too
            extra = [f for f in api.removal_findings(roots, config) if f not in report.findings]
            report = replace(report, findings=sorted([*report.findings, *extra], key=Finding.sort_key))
        if opts["verbose"]:
            verbose_notes(report, config)
        progress.close()
        color = opts["fmt"] in ("text", "concise") and not opts["output"] and colors_on(opts["color"], sys.stdout)
        if opts["fmt"] in ("json", "sarif"):  # written as encoded, one finding at a time
            pieces = json.chunks(report) if opts["fmt"] == "json" else sarif.chunks(report, config.registry)
            write_streamed(pieces, opts["output"])
        else:
            write_output(render(report, opts["fmt"], config, color), opts["output"], color=color or None)
        if opts["statistics"]:
            click.echo(statistics(report), err=True, nl=False)
    sys.exit(0 if opts["exit_zero"] else exit_code(report, opts["fail_on"]))


def statistics(report: Report) -> str:
    """`  3  NP201  selector-matches-nothing` per rule, most findings first (as ruff --statistics)."""
    counts = Counter((f.rule, f.name) for f in report.findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    width = len(str(max(counts.values(), default=0)))
    lines = [f"{n:>{width}}  {rid}  {name}" for (rid, name), n in rows]
    lines.append(f"{len(report.findings)} finding(s) from {len(counts)} rule(s)")
    return "\n".join(lines) + "\n"
