"""Helpers shared by the subcommands: error handling, common input options, config and loading.

Usage in a subcommand::

    @click.command("query")
    @click.argument("paths", nargs=-1)
    @input_options
    def query_command(paths, **opts):
        with handle_errors(opts["debug"]):
            config = resolve_config(opts)
            loaded = load_input(paths, config)
            ...
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from policylint import api
from policylint.cni import names as cni_names
from policylint.cni import profile as cni_profile
from policylint.color import CHOICES
from policylint.config import Config, ConfigError, find_config, load_config
from policylint.config.settings import RuleSetting
from policylint.model.cluster import Cluster
from policylint.queries.assumed import assumption_notes
from policylint.reporters.stream import write_chunks

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USAGE = 2


class OutputError(Exception):
    """The result could not be written (missing folder, full disk, closed standard output)."""


@contextlib.contextmanager
def writing_to(target: str | None) -> Iterator[None]:
    """OSError while writing `target` (None: standard output) becomes an OutputError naming it.

    A reader that left early (BrokenPipeError: `| head`) is not an error; the caller ends quietly.
    """
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {target or 'standard output'}: {exc.strerror or exc}") from None


_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def namespace_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A namespace given on the command line must be a namespace name (a DNS-1123 label), as the
    config's `namespace` is; a typo or a space would otherwise match nothing and say so nowhere.
    https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names"""
    if value is not None and (len(value) > 63 or not _DNS_LABEL.fullmatch(value)):
        raise click.BadParameter(
            f"{value!r} is not a namespace name (lowercase letters, digits and '-', at most 63)", ctx, param
        )
    return value


def input_options(func: F) -> F:
    """--config, --namespace, the assumption flags, --no-cache and --debug (keyword arguments of the command)."""
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="Config file (default: nearest .policylint.yaml).",
        ),
        click.option(
            "--default-namespace",
            "namespace",
            callback=namespace_name,
            help="Namespace of objects without metadata.namespace (config key `namespace`; default: default).",
        ),
        click.option(
            "--ipblocks-match-pods",
            is_flag=True,
            default=None,
            help="Assume ipBlocks also match pod IPs (Calico-like).",
        ),
        click.option(
            "--host-network-selectable", is_flag=True, default=None, help="Assume policies select hostNetwork pods."
        ),
        click.option(
            "--cni",
            type=click.Choice(cni_names()),
            default=None,
            help="The cluster's network plugin: which policy kinds it enforces and how (default: generic).",
        ),
        click.option(
            "--with-staged", is_flag=True, default=None, help="Evaluate Calico staged policies as if enforced."
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Load the input afresh instead of from the model cache (also POLICYLINT_NO_CACHE=1).",
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def address_ranges(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for text in values:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise click.BadParameter(f"{text!r} is not an address range (CIDR)", ctx, param) from None
    return values


def apiserver_option(func: F) -> F:
    """--apiserver-cidr: where the kube-apiserver calls webhooks from (NP507's `apiserver_cidrs`)."""
    return click.option(
        "--apiserver-cidr", "apiserver_cidrs", multiple=True, metavar="CIDR", callback=address_ranges,
        help="Address range the kube-apiserver calls webhooks and aggregated APIs from (repeatable; config key "
        "`apiserver_cidrs`, rule NP507); default: unknown, only a rule open to every source admits it.",
    )(func)


def focus_options(func: F) -> F:
    """--from/--to/--namespace/--port/--protocol for commands that list connections (`focus_*` keys)."""
    options = [
        click.option("--from", "focus_from", metavar="ENDPOINT", help="Only connections from this endpoint."),
        click.option("--to", "focus_to", metavar="ENDPOINT", help="Only connections to this endpoint."),
        click.option("--namespace", "-n", "focus_namespace", metavar="NS", callback=namespace_name,
                     help="Only connections with an end in this namespace."),  # fmt: skip
        click.option("--port", "-p", "focus_port", metavar="PORTS",
                     help="Only these ports: 80, 9000-9100, http, 80,443, 53/UDP."),  # fmt: skip
        click.option("--protocol", "focus_protocol", type=click.Choice(["TCP", "UDP", "SCTP"], case_sensitive=False),
                     help="Only this protocol."),  # fmt: skip
    ]
    for option in reversed(options):
        func = option(func)
    return func


def terminal_options(func: F) -> F:
    """--color and --quiet (keyword arguments `color`, `quiet`)."""
    options = [
        click.option("--color", type=click.Choice(CHOICES), default="auto", show_default=True,
                     help="Colour (auto: on a terminal; NO_COLOR and FORCE_COLOR are honoured)."),  # fmt: skip
        click.option("--quiet", "-q", is_flag=True, help="No progress line on stderr."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def write_streamed(chunks: Iterable[str], output: str | None) -> None:
    """Pieces written as they are made (reporters/stream.py), with write_output's errors."""
    with writing_to(output):
        if not output and sys.stdout is None:
            raise OSError(errno.EBADF, "standard output is closed")
        write_chunks(chunks, output)


def write_output(text: str, output: str | None, color: bool | None = None) -> None:
    """To the --output file, or to stdout (`color`: keep escapes even when stdout is not a terminal)."""
    with writing_to(output):
        if output:
            Path(output).write_text(text, encoding="utf-8")
            return
        if sys.stdout is None:  # started with standard output closed (`>&-`): the result would be lost
            raise OSError(errno.EBADF, "standard output is closed")
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()  # a full disk shows here, not at exit after the exit code is chosen


@contextlib.contextmanager
def handle_errors(debug: bool) -> Iterator[None]:
    """Usage, config and input errors: one line on stderr, exit 2. Internal errors too, unless --debug."""
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except (ConfigError, api.InputError, OutputError) as exc:
        click.echo(f"policylint: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"policylint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", err=True
        )
        sys.exit(EXIT_USAGE)


def resolve_config(opts: Mapping[str, Any], cwd: Path | None = None) -> Config:
    """The config named by --config or found from the working directory, with the command-line flags applied."""
    path = Path(opts["config_path"]) if opts.get("config_path") else find_config(cwd or Path.cwd())
    if opts.get("config_path") and path is not None and not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    config = load_config(path)
    if opts.get("cni"):
        config = replace(config, cni=opts["cni"], assumptions=cni_profile(opts["cni"]).assumptions(config.assumptions))
    if opts.get("with_staged"):
        config = replace(config, with_staged=True)
    assumptions = config.assumptions
    if opts.get("ipblocks_match_pods"):
        assumptions = replace(assumptions, ipblocks_match_pods=True)
    if opts.get("host_network_selectable"):
        assumptions = replace(assumptions, host_network_selectable=True)
    if opts.get("apiserver_cidrs"):  # the command line wins over the config (both set NP507's option)
        from policylint.config.merge import with_apiserver_cidrs

        rules = dict(config.rules)
        rules["NP507"] = with_apiserver_cidrs(rules.get("NP507", RuleSetting()), opts["apiserver_cidrs"])
        config = replace(config, rules=rules)
    return replace(config, namespace=opts.get("namespace") or config.namespace, assumptions=assumptions)


def input_paths(paths: Sequence[str], config: Config) -> list[str]:
    """The PATHS given, or the config's `paths` (relative to the config file)."""
    chosen = list(paths) or api.config_paths(config)
    if not chosen:
        raise click.UsageError("no PATHS given and no 'paths' in the config")
    return chosen


def load_input(paths: Sequence[str], config: Config, validate: bool = True, cache: bool = False) -> api.Input:
    """Load PATHS (`-` is stdin) into one cluster; api.InputError when nothing could be read.

    `cache=True` reuses the model loaded from the same unchanged files (never for stdin)."""
    if cache and "-" not in paths:
        return api.load(paths, config, validate=validate, cache=True)
    # Bytes, so the loader decodes (and reports bad encodings) exactly as it does for files.
    stream = getattr(sys.stdin, "buffer", None)
    stdin: bytes | str | None = None
    if "-" in paths:
        if sys.stdin is None:  # started with standard input closed (`<&-`)
            raise api.InputError("-: standard input is closed")
        try:
            stdin = stream.read() if stream is not None else sys.stdin.read()
        except OSError as exc:
            raise api.InputError(f"-: cannot read standard input: {exc.strerror or exc}") from None
    return api.load(paths, config, stdin=stdin, validate=validate)


def echo_input_problems(source: api.Input, verbose: bool, config: Config | None = None) -> None:
    """For commands whose stdout is not a findings report (matrix, query): problems go to stderr,
    and with `config`, what the answer assumes where the input and the settings are silent."""
    loaded = source.loaded
    for p in loaded.problems:
        click.echo(f"{p.span}: {p.rule} {p.message}", err=True)
    for line in assumption_notes(loaded.cluster, config.namespace, config.cni) if config is not None else ():
        click.echo(line, err=True)
    if verbose:
        for kind, count in sorted(loaded.skipped_kinds.items()):
            click.echo(f"skipped {count} object(s) of kind {kind}", err=True)
        for path in loaded.skipped_inputs:
            click.echo(f"skipped input {path}", err=True)


def echo_unmodelled_rules(cluster: Cluster) -> None:
    """Rules evaluated as if their L7/ICMP/... conditions held: said on stderr (matrix, exposure)."""
    from policylint.queries.unmodelled_rules import notes

    for line in notes(cluster):
        click.echo(line, err=True)
