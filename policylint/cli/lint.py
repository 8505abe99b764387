"""`policylint lint` (placeholder until its owner lands it)."""

from __future__ import annotations

import click


@click.command("lint")
def lint_command() -> None:
    """Not implemented yet."""
    raise click.UsageError("'lint' is not implemented yet")
