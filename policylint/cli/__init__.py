"""The `policylint` command: a click group; each subcommand lives in its own module."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

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


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _interrupted(signum: int, frame: FrameType | None) -> None:
    # Raised as SystemExit so click does not turn it into "Aborted!" and exit 1.
    sys.stderr.write("\npolicylint: interrupted\n")
    raise SystemExit(EXIT_INTERRUPTED)


def _terminated(signum: int, frame: FrameType | None) -> None:
    # SIGTERM (a CI job cancelled, `timeout`) and SIGHUP: unwind as SystemExit so every `with` block
    # runs, removing the temporary copies of git revisions; the default action leaves them behind.
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # not on Windows
            signal.signal(getattr(signal, name), _terminated)
    try:
        try:
            cli(prog_name="policylint")
        finally:
            if sys.stdout is not None:  # here, not at exit: a full disk must change the exit code
                sys.stdout.flush()
    except BrokenPipeError:
        # `policylint matrix | head`: the reader left; say nothing more and do not trace back.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:  # what a command wrote could not reach standard output (full disk)
        sys.stderr.write(f"policylint: error: cannot write standard output: {exc.strerror or exc}\n")
        sys.exit(2)
