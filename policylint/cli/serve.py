"""`policylint serve` and `query --batch`: many questions about one loaded tree.

The tree is loaded once (through the model cache unless --no-cache), and the evaluator is kept
across questions, so each answer costs about a millisecond instead of a load.

serve reads JSON Lines on stdin, one question per line:

    {"id": 1, "from": "shop/web", "to": "shop/api", "port": "8080/TCP"}

and writes one line per question on stdout, in order: `{"id": 1, "answer": {...}}` (the object
`query --format json` prints) or `{"id": 1, "error": "..."}`. `id` is optional and echoed back.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

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
from policylint.engine.concrete import Evaluator
from policylint.reporters.pipe import quiet_on_closed_pipe
from policylint.reporters.query import answer_json, service_json


class QuestionError(ValueError):
    """A question that cannot be asked as written (one line of output says why)."""


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
        raise QuestionError(f"{text!r}: expected PORT[/TCP|UDP|SCTP]") from None
    if not 1 <= port <= 65535:
        raise QuestionError(f"{port} is not a port number (1-65535)")
    return port, protocol


@dataclass
class Session:
    """One loaded input and the evaluators built for it, answering question after question."""

    source: api.Input
    config: api.Config
    smt: bool = True
    smt_timeout_ms: int = 5000
    evaluators: dict[tuple[str, ...], Evaluator] = field(default_factory=dict)

    def ask(self, src: str, dst: str, port: str | None) -> api.Answer | api.ServiceAnswer:
        """A Service as `dst` is asked per backend, `port` being the Service port (api.query_service)."""
        try:
            if api.is_service(self.source, dst, self.config):
                return api.query_service(self.source, src, dst, self.config, port=port)
        except api.EndpointError as exc:
            raise QuestionError(str(exc)) from None
        number, protocol = parse_port(port)
        try:
            return api.query(self.source, src, dst, self.config, port=number, protocol=protocol, smt=self.smt,
                             smt_timeout_ms=self.smt_timeout_ms, evaluators=self.evaluators)  # fmt: skip
        except api.EndpointError as exc:
            raise QuestionError(str(exc)) from None


def _field(question: dict[str, Any], name: str, required: bool) -> str | None:
    value = question.get(name)
    if value is None and not required:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "port":
        return str(value)
    if not isinstance(value, str):
        raise QuestionError(f"'{name}' must be a string" + (" (it is required)" if required else ""))
    return value


def to_json(answer: api.Answer | api.ServiceAnswer) -> dict[str, Any]:
    return answer_json(answer) if isinstance(answer, api.Answer) else service_json(answer)


def meets(answer: api.Answer | api.ServiceAnswer, expect: str) -> bool:
    """--expect: to a Service, allow needs every backend (ALLOWED), deny needs none (BLOCKED)."""
    if isinstance(answer, api.Answer):
        return (expect == "allow") == answer.allowed
    return answer.verdict == "ALLOWED" if expect == "allow" else answer.verdict in ("BLOCKED", "NO BACKENDS")


def answer_line(session: Session, line: str) -> str | None:
    """The JSON Lines reply to one line of input; None for a blank line."""
    if not line.strip():
        return None
    ident: Any = None
    try:
        question = json.loads(line)
        if not isinstance(question, dict):
            raise QuestionError("a question is a JSON object with 'from', 'to' and optionally 'port' and 'id'")
        ident = question.get("id")
        src, dst = _field(question, "from", True), _field(question, "to", True)
        assert src is not None and dst is not None
        answer = session.ask(src, dst, _field(question, "port", False))
        reply: dict[str, Any] = {"id": ident, "answer": to_json(answer)}
    except json.JSONDecodeError as exc:
        reply = {"id": None, "error": f"not JSON: {exc.msg} at column {exc.colno}"}
    except QuestionError as exc:
        reply = {"id": ident, "error": str(exc)}
    return json.dumps(reply, separators=(",", ":"))


def serve_lines(session: Session, lines: TextIO, out: TextIO) -> None:
    for line in lines:
        reply = answer_line(session, line)
        if reply is not None:
            out.write(reply + "\n")
            out.flush()  # the asker waits for each answer


@click.command("serve")
@click.argument("paths", nargs=-1)
@input_options
@click.option("--smt/--no-smt", default=True, show_default=True,
              help="For selector and `any` endpoints, also ask z3 about pods the input does not have.")
@click.option("--smt-timeout", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Milliseconds per solver call.")
def serve_command(paths: tuple[str, ...], no_cache: bool, smt: bool, smt_timeout: int, **opts: Any) -> None:
    """Answer reachability questions read as JSON Lines on stdin, one JSON line each on stdout.

    A question: {"id": 1, "from": "shop/web", "to": "shop/api", "port": "8080/TCP"} (port and id
    optional). A reply: {"id": 1, "answer": {...}} or {"id": 1, "error": "..."}. The input is loaded
    once; ends at the end of stdin. Exit code 0, 2 when the input could not be read.
    """
    with handle_errors(opts["debug"]):
        config = resolve_config(opts)
        chosen = input_paths(paths, config)
        if "-" in chosen:
            raise click.UsageError("serve reads its questions on stdin: give the manifests as PATHS, not -")
        source = load_input(chosen, config, validate=False, cache=not no_cache)
        echo_input_problems(source, False)
        with quiet_on_closed_pipe():
            serve_lines(Session(source, config, smt, smt_timeout), sys.stdin, sys.stdout)


def batch_question(line: str) -> tuple[str, str, str | None] | None:
    """`FROM TO [PORT]`; None for a blank or comment line."""
    words = line.split("#", 1)[0].split()
    if not words:
        return None
    if len(words) not in (2, 3):
        raise QuestionError(f"expected FROM TO [PORT], got {len(words)} word(s)")
    return words[0], words[1], words[2] if len(words) == 3 else None


def run_batch(session: Session, lines: TextIO, fmt: str, expect: str | None) -> int:
    """Answer each line of `lines` on stdout; returns the exit code (1: an answer differs from
    `expect`, 2: a line could not be asked; both said on stderr with the line number)."""
    from policylint.reporters.query import render_service_text, render_text

    code = 0
    with quiet_on_closed_pipe():
        for number, line in enumerate(lines, 1):
            try:
                question = batch_question(line)
                if question is None:
                    continue
                answer = session.ask(*question)
            except QuestionError as exc:
                click.echo(f"batch line {number}: {exc}", err=True)
                code = 2
                continue
            if fmt == "json":
                sys.stdout.write(json.dumps(to_json(answer), separators=(",", ":")) + "\n")
            else:
                sys.stdout.write(f"# {' '.join(question[:2])}{' ' + question[2] if question[2] else ''}\n")
                text = render_text(answer) if isinstance(answer, api.Answer) else render_service_text(answer)
                sys.stdout.write(text + "\n")
            if expect is not None and not meets(answer, expect) and code == 0:
                said = answer.verdict if isinstance(answer, api.ServiceAnswer) else ("deny", "allow")[answer.allowed]
                click.echo(f"batch line {number}: expected {expect}, but the answer is {said}", err=True)
                code = 1
    return code
