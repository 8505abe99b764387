"""Reading the cluster for the reachability commands (matrix, query): shared options and errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from policylint.engine.flow import Assumptions

F = TypeVar("F", bound=Callable[..., Any])


def cluster_options(f: F) -> F:
    """Options every command that reads manifests takes."""
    decorators = [
        click.argument("paths", nargs=-1, required=True),
        click.option("--namespace", "-n", default="default", show_default=True,
                     help="Namespace of objects that name none."),
        click.option("--ipblocks-match-pods", is_flag=True,
                     help="Assume ipBlocks also match pod addresses (Calico-like plugins)."),
        click.option("--host-network-selectable", is_flag=True,
                     help="Assume policies select hostNetwork pods like ordinary pods."),
        click.option("--verbose", "-v", is_flag=True, help="List skipped kinds and inputs."),
        click.option("--debug", is_flag=True, help="Show a traceback on internal errors."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def assumptions_of(ipblocks_match_pods: bool, host_network_selectable: bool) -> Assumptions:
    return Assumptions(ipblocks_match_pods=ipblocks_match_pods, host_network_selectable=host_network_selectable)


def guarded(f: F) -> F:
    """No traceback for any input: internal errors become one line and exit code 2 (--debug re-raises)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if kwargs.get("debug"):
                raise
            click.echo(f"policylint: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                       err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def load_cluster(paths: tuple[str, ...], namespace: str, verbose: bool) -> Any:
    """Load the manifests, report input problems on stderr, and return the LoadResult."""
    from policylint.load import load_paths

    result = load_paths(list(paths), default_namespace=namespace)
    for p in result.problems:
        click.echo(f"{p.span}: {p.rule} {p.message}", err=True)
    if verbose:
        for kind, count in sorted(result.skipped_kinds.items()):
            click.echo(f"skipped {count} object(s) of kind {kind}", err=True)
        for path in result.skipped_inputs:
            click.echo(f"skipped input {path}", err=True)
    return result
