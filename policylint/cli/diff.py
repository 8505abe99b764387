"""`policylint diff` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("diff")
def diff_command() -> None:
    """Not implemented yet."""
    raise click.UsageError("'diff' is not implemented yet")
