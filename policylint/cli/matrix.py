"""`policylint matrix`: every allowed connection between workloads and external ranges."""

from __future__ import annotations

import errno
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from policylint import api
from policylint.cli.common import (
    echo_input_problems,
    echo_unmodelled_rules,
    focus_options,
    handle_errors,
    input_options,
    input_paths,
    load_input,
    resolve_config,
    terminal_options,
    write_output,
    writing_to,
)
from policylint.engine.concrete import Evaluator
from policylint.engine.matrix import Connection, iter_connections
from policylint.progress import Progress
from policylint.queries.endpoints import EndpointError
from policylint.queries.focus import apply, make_focus
from policylint.reporters.matrix import FORMATS, write
from policylint.reporters.pipe import quiet_on_closed_pipe
from policylint.reporters.stream import write_chunks

if TYPE_CHECKING:  # grouping and the map are imported where chosen: a streamed matrix never needs them
    from policylint.queries.grouping import Line

GROUPS = ("namespace", "workload", "none")


def default_group(fmt: str, output: str | None) -> str:
    """Grouped for a person at a terminal, one line per pair for scripts, pipes and files."""
    return "namespace" if fmt == "text" and not output and sys.stdout is not None and sys.stdout.isatty() else "none"


def _grouped(ev: Evaluator, rows: Iterable[Connection], group: str, opts: dict[str, Any]) -> list[Line]:
    from policylint.queries.grouping import Prover, group_rows, prove_lines

    lines = group_rows(ev, rows, by=group)
    if opts["smt"]:
        lines = prove_lines(ev, lines, Prover.create(ev, opts["smt_timeout"], opts["smt_budget"]))
    return lines


def _stream(ev: Evaluator, rows: Iterable[Connection], fmt: str, output: str | None) -> None:
    with writing_to(output):
        if output:
            with open(output, "w", encoding="utf-8") as out:
                write(ev, rows, fmt, out)
            return
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise OSError(errno.EBADF, "standard output is closed")
        with quiet_on_closed_pipe():
            write(ev, rows, fmt, sys.stdout)


def _write_pieces(pieces: Iterable[str], output: str | None) -> None:
    """Pieces computed as they are written, to the --output file or to standard output."""
    with writing_to(output):
        if not output and sys.stdout is None:  # started with standard output closed (`>&-`)
            raise OSError(errno.EBADF, "standard output is closed")
        write_chunks(pieces, output)


@click.command("matrix")
@click.argument("paths", nargs=-1)
@input_options
@focus_options
@terminal_options
@click.option("--format", "-f", "fmt", type=click.Choice((*FORMATS, "html")), default="text", show_default=True,
              help="html: one self-contained interactive page.")  # fmt: skip
@click.option("--group", "-g", type=click.Choice(GROUPS), default=None,
              help="namespace: whole namespaces in one line; workload: each source workload with its "
                   "destinations grouped by namespace; none: one line per pair (all exact). "
                   "Default: namespace on a terminal, none otherwise.")  # fmt: skip
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--smt/--no-smt", default=True, show_default=True,
              help="With --group namespace, prove `any pod in namespace ...` with z3.")
@click.option("--smt-timeout", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Milliseconds per solver call.")
@click.option("--smt-budget", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds of solver time for the whole run; past it, lines stay concrete.")
@click.option("--verbose", "-v", is_flag=True, help="List skipped kinds and inputs on stderr.")
def matrix_command(paths: tuple[str, ...], fmt: str, group: str | None, verbose: bool, **opts: Any) -> None:
    """Print every allowed connection between workloads and external address ranges.

    A workload to itself is never listed. With --group namespace, every line is exact: it stands
    for each pair of its two ends (a workload never to itself). Input problems go to stderr; exit
    code 0, or 2 when some input could not be read (the rest is still analysed and printed).
    """
    with handle_errors(opts["debug"]), Progress(quiet=opts["quiet"]) as progress:
        config = resolve_config(opts)
        progress.stage("reading files")
        source = load_input(input_paths(paths, config), config, validate=False, cache=not opts["no_cache"])
        echo_input_problems(source, verbose, config)
        progress.stage("computing pairs")
        stream = api.matrix_rows(source, config, [t for t in (opts["focus_from"], opts["focus_to"]) if t])
        ev = stream.evaluator
        echo_unmodelled_rules(ev.cluster)
        try:
            focus = make_focus(ev, opts["focus_from"], opts["focus_to"], opts["focus_namespace"],
                               opts["focus_port"], opts["focus_protocol"])  # fmt: skip
        except EndpointError as exc:
            raise click.UsageError(str(exc)) from None
        rows = apply(ev, stream.rows, focus)
        chosen = group or default_group(fmt, opts["output"])
        if fmt == "html":  # streamed: one source namespace's rows held at a time, lines written as made
            from policylint.reporters import html

            progress.close()
            by_namespace = apply(ev, iter_connections(ev, external_at=html.EXTERNAL), focus)
            _write_pieces(html.iter_page(ev, by_namespace), opts["output"])
        elif chosen == "none":  # streamed: nothing held but the row being written
            progress.close()
            _stream(ev, rows, fmt, opts["output"])
        else:  # grouped as the rows come: neither the rows nor a line per pair is held
            from policylint.reporters import grouped

            progress.stage("grouping")
            lines = _grouped(ev, rows, chosen, opts)
            progress.close()
            if fmt == "json":  # the exact pairs beside the groups: computed again, written as they come
                pairs = apply(ev, iter_connections(ev), focus)
                _write_pieces(grouped.iter_json(ev, lines, pairs), opts["output"])
            else:
                with quiet_on_closed_pipe():
                    write_output(grouped.render(ev, lines, fmt), opts["output"])
    if source.loaded.fatal:
        sys.exit(2)
