"""The `policylint` command: a click group; each subcommand lives in its own module."""

from __future__ import annotations

import click

from policylint import __version__
from policylint.cli.diff import diff_command
from policylint.cli.exposure import exposure_command
from policylint.cli.lint import lint_command
from policylint.cli.matrix import matrix_command
from policylint.cli.query import query_command
from policylint.cli.rules import docs_command, rules_command
from policylint.cli.serve import serve_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policylint")
def cli() -> None:
    """Static analysis and linting for Kubernetes NetworkPolicies."""


cli.add_command(lint_command)
cli.add_command(query_command)
cli.add_command(matrix_command)
cli.add_command(diff_command)
cli.add_command(exposure_command)
cli.add_command(rules_command)
cli.add_command(docs_command)
cli.add_command(serve_command)


def main() -> None:
    cli(prog_name="policylint")
