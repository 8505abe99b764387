"""`policylint diff`: what a change does to connectivity (and, with --lint, which findings it adds).

Two forms:
  policylint diff BASE HEAD                            two paths (files or directories)
  policylint diff --git-base REV [--git-head REV] [PATHS...]
                                                       PATHS read at REV with git (a temporary copy;
                                                       the working tree is never touched); without
                                                       --git-head, HEAD is the working tree; without
                                                       PATHS, the config's `paths:`
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import click

from policylint import api
from policylint.cli.common import (
    apiserver_option,
    focus_options,
    handle_errors,
    input_options,
    input_paths,
    resolve_config,
    write_streamed,
)
from policylint.queries.diff_focus import make_diff_focus, refocus
from policylint.queries.endpoints import EndpointError
from policylint.reporters import summary_md
from policylint.reporters.diff import json_chunks, text_lines

FORMATS = ("text", "json", "md")
FAIL_ON = ("added", "new-exposure", "never")


def triggered(impact: api.Impact, fail_on: str) -> bool:
    if fail_on == "added":
        return impact.diff.allows_more()
    if fail_on == "new-exposure":
        return bool(impact.diff.exposures()) or bool(impact.entries.opened) or bool(impact.possible_exposures)
    return False


def render(impact: api.Impact, fmt: str) -> Iterator[str]:
    """The report in pieces, written as they are made (text and json; md is one short summary)."""
    if fmt == "md":
        return iter((summary_md.render(impact),))
    return json_chunks(impact) if fmt == "json" else text_lines(impact)


@click.command("diff")
@click.argument("args", nargs=-1, metavar="[BASE HEAD | PATHS...]")
@click.option("--git-base", metavar="REV", help="Read PATHS at this git revision as BASE.")
@click.option("--git-head", metavar="REV", help="Read PATHS at this git revision as HEAD (default: the working tree).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="never",
    show_default=True,
    help="Exit 1 when HEAD allows a connection BASE did not (added), or when a workload becomes reachable "
    "from another namespace or from outside the cluster (new-exposure).",
)
@click.option("--lint", "with_lint", is_flag=True, help="Also lint both sides and report the new findings.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the result to this file.")
@click.option("--smt/--no-smt", default=True, show_default=True,
              help="Prove with z3 where a change holds for any pod of a namespace (\"any pod in namespace x\"), "
              "not only for its workloads.")  # fmt: skip
@click.option(
    "--smt-timeout",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Milliseconds per solver call; an undecided statement stays concrete.",
)
@click.option(
    "--smt-budget",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds of solver time for the whole run; past it, statements stay concrete.",
)
@apiserver_option
@input_options
@focus_options
def diff_command(args: tuple[str, ...], **opts: Any) -> None:
    """Connections added, removed and changed between BASE and HEAD, and workloads that appear or disappear.

    Exit status: 0, or 1 when --fail-on is triggered, 2 usage, config or input error.
    """
    with handle_errors(opts["debug"]):
        config = resolve_config(opts)
        smt = api.Solver(opts["smt_timeout"], opts["smt_budget"]) if opts["smt"] else None
        both = {"with_lint": opts["with_lint"], "smt": smt}
        if opts["git_base"]:
            paths = input_paths(args, config)
            impact = api.diff_git(opts["git_base"], opts["git_head"], paths, config, **both)
        elif opts["git_head"]:
            raise click.UsageError("--git-head needs --git-base")
        elif len(args) != 2:
            raise click.UsageError("give BASE and HEAD paths, or --git-base REV and PATHS")
        else:
            impact = api.diff(args[0], args[1], config, **both, cache=not opts["no_cache"])
        for line in impact.unseen:  # what the answer could not see goes beside it, never into it
            click.echo(line, err=True)
        try:
            focus = make_diff_focus(opts["focus_from"], opts["focus_to"], opts["focus_namespace"],
                                    opts["focus_port"], opts["focus_protocol"])  # fmt: skip
            impact = refocus(impact, focus) if focus.active else impact
        except EndpointError as exc:
            raise click.UsageError(str(exc)) from None
        write_streamed(render(impact, opts["fmt"]), opts["output"])
    sys.exit(1 if triggered(impact, opts["fail_on"]) else 0)
