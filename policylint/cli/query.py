"""`policylint query`: can A reach B, and why."""

from __future__ import annotations

import errno
import sys
from typing import Any, TextIO

import click

from policylint import api
from policylint.cli.common import (
    echo_input_problems,
    handle_errors,
    input_options,
    input_paths,
    load_input,
    namespace_name,
    resolve_config,
    terminal_options,
    write_output,
    writing_to,
)
from policylint.cli.serve import QuestionError, Session, run_batch
from policylint.cli.serve import parse_port as parse_question_port
from policylint.color import enabled as colors_on
from policylint.color import verdicts
from policylint.progress import Progress
from policylint.queries.set_explain import SetExplanation
from policylint.reporters.grouped import render_set
from policylint.reporters.query import iter_json, render_service_json, render_service_text, render_text
from policylint.reporters.stream import write_chunks


def parse_port(text: str | None) -> tuple[int | None, api.Protocol | None]:
    """`5432`, `5432/TCP`, `53/udp` or a bare protocol `UDP` (serve's parser, as a --port error)."""
    try:
        return parse_question_port(text)
    except QuestionError as err:
        raise click.BadParameter(str(err), param_hint="--port") from None


def text_answer(answer: api.Answer, color: bool) -> str:
    """A set answer says, grouped, who can and who cannot connect, with the deciding policies."""
    text = render_text(answer)
    if isinstance(answer.explained, SetExplanation):
        head = text.split("\n", 1)[0] + "\n"
        kept = ("witness:", "proven:", "could not decide:", "note:")
        text = head + render_set(answer.explained) + "".join(
            line + "\n" for line in text.splitlines() if line.startswith(kept)
        )
    return verdicts(text, color)


@click.command("query")
@click.argument("paths", nargs=-1)
@input_options
@click.option("--from", "src", help="Source: ns/name, ns:selector, *:selector, IP/CIDR, any.")
@click.option("--to", "dst", help="Destination, same forms as --from, or a Service: svc/NS/NAME, NS/svc/NAME, "
              "NAME.NS[.svc.cluster.local] (--port is then the Service port).")
@click.option("--batch", type=click.File("r", encoding="utf-8"), default=None,
              help="Answer the questions in FILE, one per line: FROM TO [PORT] (- reads stdin). "
              "The input is loaded once.")
@click.option("--port", "-p", default=None,
              help="PORTS: 5432, 53/UDP, UDP, 80,443, 9000-9100 or a port name like http (default: any port).")
@click.option("--protocol", type=click.Choice(["TCP", "UDP", "SCTP"], case_sensitive=False), default=None,
              help="Only this protocol.")
@click.option("--namespace", "-n", "namespace", default=None, callback=namespace_name,
              help="Namespace of endpoints written without one (deploy/api), as kubectl -n.")
@terminal_options
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--expect", type=click.Choice(["allow", "deny"]), default=None,
              help="Exit 1 when the answer differs (assert reachability in CI).")
@click.option("--verbose", "-v", is_flag=True, help="List skipped kinds and inputs on stderr.")
@click.option("--smt/--no-smt", default=True, show_default=True,
              help="For selector and `any` endpoints, also ask z3 about pods the input does not have.")
@click.option("--smt-timeout", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Milliseconds per solver call; an undecided call is reported, never taken as an answer.")
def query_command(
    paths: tuple[str, ...], src: str | None, dst: str | None, port: str | None, protocol: str | None,
    namespace: str | None, fmt: str, expect: str | None, verbose: bool, smt: bool, smt_timeout: int,
    batch: TextIO | None, no_cache: bool, **opts: Any,
) -> None:
    """Answer whether --from can reach --to, with the policies and rules that decide each side.

    The model loaded from unchanged files is reused from a cache (in ~/.cache/policylint; --no-cache
    or POLICYLINT_NO_CACHE=1 to load afresh). Exit code 0; 1 when --expect is given and the answer
    differs (with --batch: any answer); 2 on usage or input errors.
    """
    if batch is None and (src is None or dst is None):
        raise click.UsageError("give --from and --to, or --batch FILE")
    simple = port is None or "," not in port and "-" not in port and (port.split("/")[0].isdigit() or "/" not in port
                                                                      and port.upper() in api.Protocol.__members__)
    number, proto = parse_port(port) if simple else (None, None)
    if protocol and number is None and port is None:
        proto = api.Protocol[protocol.upper()]
    ports = None if simple else port + (f"/{protocol}" if protocol and "/" not in port else "")  # type: ignore[operator]
    with handle_errors(opts["debug"]), Progress(quiet=opts["quiet"]) as progress:
        config = resolve_config(opts)
        chosen = input_paths(paths, config)
        source = load_input(chosen, config, validate=False, cache=not no_cache)
        echo_input_problems(source, verbose, config)
        if batch is not None:
            session = Session(source, config, smt, smt_timeout)
            failed = run_batch(session, batch, fmt, expect)
            sys.exit(2 if source.loaded.fatal else failed)
        assert src is not None and dst is not None
        if api.is_service(source, dst, config):
            progress.close()
            service_query(source, src, dst, port, protocol, namespace, fmt, expect, opts, config)
            return
        try:
            progress.stage("answering")
            answer = api.query(source, src, dst, config, port=number, protocol=proto, smt=smt,
                               smt_timeout_ms=smt_timeout, ports=ports, namespace=namespace,
                               explain_sets=fmt == "text", stream_pairs=fmt == "json")  # fmt: skip
        except api.EndpointError as exc:
            raise click.UsageError(str(exc)) from None
        progress.close()
        on = fmt == "text" and colors_on(opts["color"], sys.stdout)
        # color=: click would strip the escapes whenever stdout is not a terminal.
        if fmt == "json":  # streamed: `any -> any` lists millions of pairs
            with writing_to(None):
                if sys.stdout is None:  # started with standard output closed (`>&-`)
                    raise OSError(errno.EBADF, "standard output is closed")
                write_chunks(iter_json(answer), None)
        else:
            write_output(text_answer(answer, on), None, color=on)
    if source.loaded.fatal:
        sys.exit(2)
    if expect is not None and answer.undecided:  # fail closed: an assertion the solver could not decide is not met
        click.echo(f"expected {expect}, but the solver could not decide: {'; '.join(answer.undecided)}", err=True)
        sys.exit(1)
    if expect is not None and (expect == "allow") != answer.allowed:
        click.echo(f"expected {expect}, but the answer is {'allow' if answer.allowed else 'deny'}", err=True)
        sys.exit(1)



def service_query(source: api.Input, src: str, dst: str, port: str | None, protocol: str | None,
                  namespace: str | None, fmt: str, expect: str | None, opts: dict[str, Any],
                  config: api.Config) -> None:  # fmt: skip
    """`--to` a Service: one answer per backend, a summary, and the --expect verdict over all."""
    if protocol:
        port = (port or protocol) if port is None or "/" in port else f"{port}/{protocol}"
    try:
        answer = api.query_service(source, src, dst, config, port=port, namespace=namespace)
    except api.EndpointError as exc:
        raise click.UsageError(str(exc)) from None
    on = fmt == "text" and colors_on(opts["color"], sys.stdout)
    text = render_service_json(answer) if fmt == "json" else verdicts(render_service_text(answer), on)
    click.echo(text, nl=False, color=on)
    if source.loaded.fatal:
        sys.exit(2)
    if expect is not None and answer.undecided:
        click.echo(f"expected {expect}, but the solver could not decide: {'; '.join(answer.undecided)}", err=True)
        sys.exit(1)
    met = answer.verdict == "ALLOWED" if expect == "allow" else answer.verdict in ("BLOCKED", "NO BACKENDS")
    if expect is not None and not met:
        click.echo(f"expected {expect}, but the answer is {answer.verdict}: {answer.summary}", err=True)
        sys.exit(1)
