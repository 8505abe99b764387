"""`policylint matrix`: every allowed connection between workloads and external ranges."""

from __future__ import annotations

import sys

import click

from policylint.cli.input import assumptions_of, cluster_options, guarded, load_cluster
from policylint.engine.concrete import Evaluator
from policylint.engine.matrix import compute_matrix
from policylint.reporters.matrix import FORMATS, render


@click.command("matrix")
@cluster_options
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@guarded
def matrix_command(
    paths: tuple[str, ...], namespace: str, ipblocks_match_pods: bool, host_network_selectable: bool,
    verbose: bool, debug: bool, fmt: str,
) -> None:
    """Print every allowed connection (no workload to itself).

    Exit code 0, or 2 when some input could not be read (the rest is still analysed).
    """
    result = load_cluster(paths, namespace, verbose)
    ev = Evaluator(result.cluster, assumptions_of(ipblocks_match_pods, host_network_selectable))
    click.echo(render(compute_matrix(ev), fmt), nl=False)
    if result.fatal:
        sys.exit(2)
