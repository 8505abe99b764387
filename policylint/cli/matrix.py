"""`policylint matrix`: every allowed connection between workloads and external ranges."""

from __future__ import annotations

import sys
from typing import Any

import click

from policylint import api
from policylint.cli.common import (
    echo_input_problems,
    handle_errors,
    input_options,
    input_paths,
    load_input,
    resolve_config,
)
from policylint.reporters.matrix import FORMATS, write
from policylint.reporters.pipe import quiet_on_closed_pipe


@click.command("matrix")
@click.argument("paths", nargs=-1)
@input_options
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List skipped kinds and inputs on stderr.")
def matrix_command(paths: tuple[str, ...], fmt: str, verbose: bool, **opts: Any) -> None:
    """Print every allowed connection between workloads and external address ranges.

    A workload to itself is never listed. Input problems go to stderr; exit code 0, or 2 when
    some input could not be read (the rest is still analysed and printed).
    """
    with handle_errors(opts["debug"]):
        config = resolve_config(opts)
        source = load_input(input_paths(paths, config), config, validate=False)
        echo_input_problems(source, verbose)
        stream = api.matrix_rows(source, config)
        with quiet_on_closed_pipe():
            write(stream.evaluator, stream.rows, fmt, sys.stdout)
    if source.loaded.fatal:
        sys.exit(2)
