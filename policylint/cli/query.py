"""`policylint query` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("query")
def query_command() -> None:
    """Not implemented yet."""
    raise click.UsageError("'query' is not implemented yet")
