"""The `policylint` command: a click group; each subcommand lives in its own module."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from types import FrameType

import click

from policylint import __version__

# Subcommand -> (module, attribute); `--help` lists them sorted, as click does. A command's module is imported
# only when that command runs: `query` then never imports what lint or diff need (rules, z3).
COMMANDS = {
    "lint": ("policylint.cli.lint", "lint_command"),
    "query": ("policylint.cli.query", "query_command"),
    "matrix": ("policylint.cli.matrix", "matrix_command"),
    "diff": ("policylint.cli.diff", "diff_command"),
    "exposure": ("policylint.cli.exposure", "exposure_command"),
    "rules": ("policylint.cli.rules", "rules_command"),
    "docs": ("policylint.cli.rules", "docs_command"),
    "serve": ("policylint.cli.serve", "serve_command"),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        command = getattr(importlib.import_module(where[0]), where[1])
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policylint")
def cli() -> None:
    """Static analysis and linting for Kubernetes NetworkPolicies."""


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
    import policylint

    policylint.FREEZE_LOADED_MODEL = True  # this process ends with the command (policylint/cache.py)
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
