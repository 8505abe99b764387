"""`policylint matrix` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("matrix")
def matrix_command() -> None:
    """Not implemented yet."""
    raise click.UsageError("'matrix' is not implemented yet")
