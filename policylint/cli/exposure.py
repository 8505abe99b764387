"""`policylint exposure`: every way in from outside the cluster and what it reaches."""

from __future__ import annotations

import sys
from typing import Any

import click

from policylint import api
from policylint.cli.common import (
    echo_input_problems,
    echo_unmodelled_rules,
    handle_errors,
    input_options,
    input_paths,
    load_input,
    resolve_config,
    write_output,
)
from policylint.enforced import evaluated
from policylint.reporters.exposure import FORMATS, render


@click.command("exposure")
@click.argument("paths", nargs=-1)
@input_options
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--ingress-controller", "controller", metavar="NAMESPACE[:k=v,...]",
              help="Where the ingress controller / gateway pods run (default: the config's "
                   "exposure.ingress_controller, else found in the input, else assumed to be a label-less pod "
                   "in namespace ingress-controller-ns).")  # fmt: skip
@click.option("--node-cidr", "node_cidrs", multiple=True, metavar="CIDR",
              help="Node address ranges: what backends see behind externalTrafficPolicy: Cluster "
                   "(default: the config's exposure.node_cidrs).")
@click.option("--verbose", "-v", is_flag=True, help="List skipped kinds and inputs on stderr.")
def exposure_command(paths: tuple[str, ...], fmt: str, controller: str | None, node_cidrs: tuple[str, ...],
                     verbose: bool, **opts: Any) -> None:  # fmt: skip
    """What can be reached from outside the cluster: LoadBalancer and NodePort Services, externalIPs,
    hostPorts, host-network pods, Ingress, Gateway API routes and OpenShift Routes, after every
    policy. Exit code 0, or 2 when some input could not be read."""
    with handle_errors(opts["debug"]):
        config = resolve_config(opts)
        source = load_input(input_paths(paths, config), config, validate=False, cache=not opts["no_cache"])
        echo_input_problems(source, verbose, config)
        echo_unmodelled_rules(evaluated(source.loaded.cluster, config))
        report = api.exposure(source, config, ingress_controller=controller, node_cidrs=list(node_cidrs))
        write_output(render(report, fmt), None)
    if source.loaded.fatal:
        sys.exit(2)
