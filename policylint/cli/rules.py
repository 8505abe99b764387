"""`policylint rules` and `policylint docs` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("rules")
def rules_command() -> None:
    """Not implemented yet."""
    raise click.UsageError("'rules' is not implemented yet")


@click.command("docs")
def docs_command() -> None:
    """Not implemented yet."""
    raise click.UsageError("'docs' is not implemented yet")
