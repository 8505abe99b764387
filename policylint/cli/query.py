"""`policylint query`: can A reach B, and why."""

from __future__ import annotations

import sys
from typing import Any

import click

from policylint import api
from policylint.cli.common import (
    echo_input_problems,
    handle_errors,
    input_options,
    input_paths,
    load_input,
    resolve_config,
)
from policylint.reporters.query import render_json, render_text


def parse_port(text: str | None) -> tuple[int | None, api.Protocol | None]:
    """`5432`, `5432/TCP`, `53/udp` or a bare protocol `UDP`."""
    if text is None:
        return None, None
    number, _, proto = text.partition("/")
    if not proto and number.upper() in api.Protocol.__members__:
        return None, api.Protocol[number.upper()]
    try:
        port = int(number)
        protocol = api.Protocol[proto.upper()] if proto else api.Protocol.TCP
    except (ValueError, KeyError):
        raise click.BadParameter(f"{text!r}: expected PORT[/TCP|UDP|SCTP]", param_hint="--port") from None
    if not 1 <= port <= 65535:
        raise click.BadParameter(f"{port} is not a port number (1-65535)", param_hint="--port")
    return port, protocol


@click.command("query")
@click.argument("paths", nargs=-1)
@input_options
@click.option("--from", "src", required=True, help="Source: ns/name, ns:selector, *:selector, IP/CIDR, any.")
@click.option("--to", "dst", required=True, help="Destination, same forms as --from.")
@click.option("--port", "-p", default=None, help="PORT[/PROTOCOL], e.g. 5432 or 53/UDP (default: any port).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--expect", type=click.Choice(["allow", "deny"]), default=None,
              help="Exit 1 when the answer differs (assert reachability in CI).")
@click.option("--verbose", "-v", is_flag=True, help="List skipped kinds and inputs on stderr.")
@click.option("--smt/--no-smt", default=True, show_default=True,
              help="For selector and `any` endpoints, also ask z3 about pods the input does not have.")
@click.option("--smt-timeout", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Milliseconds per solver call; an undecided call is reported, never taken as an answer.")
def query_command(
    paths: tuple[str, ...], src: str, dst: str, port: str | None, fmt: str, expect: str | None, verbose: bool,
    smt: bool, smt_timeout: int, **opts: Any,
) -> None:
    """Answer whether --from can reach --to, with the policies and rules that decide each side.

    Exit code 0; 1 when --expect is given and the answer differs; 2 on usage or input errors.
    """
    number, protocol = parse_port(port)
    with handle_errors(opts["debug"]):
        config = resolve_config(opts)
        source = load_input(input_paths(paths, config), config, validate=False)
        echo_input_problems(source, verbose)
        try:
            answer = api.query(source, src, dst, config, port=number, protocol=protocol, smt=smt,
                               smt_timeout_ms=smt_timeout)  # fmt: skip
        except api.EndpointError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(render_json(answer) if fmt == "json" else render_text(answer), nl=False)
    if source.loaded.fatal:
        sys.exit(2)
    if expect is not None and (expect == "allow") != answer.allowed:
        click.echo(f"expected {expect}, but the answer is {'allow' if answer.allowed else 'deny'}", err=True)
        sys.exit(1)

