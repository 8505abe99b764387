"""Fuzz the real CLI with hostile files: it never crashes, hangs or hides where a problem is.

For every generated file, in-process through click's CliRunner:

    policylint lint FILE --format json
    policylint matrix FILE
    policylint query FILE --from any --to any

Invariant: exit code in {0, 1, 2} (matrix and query: {0, 2}); no `Traceback` and no
"internal error" on stdout or stderr; every stderr line names the file; the lint JSON parses
and every finding has the file and a line >= 1. Each command must also finish in HANG_SECONDS.

Budgets are the profiles of strategies.py: `fuzz-ci` under CI (about a minute in total),
`fuzz-dev` locally, and the long local run::

    HYPOTHESIS_PROFILE=fuzz-long pytest tests/fuzz -n 2

A crash the fuzzer found and that was fixed is pinned with `@example` on the test that found it.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_strategies import (  # loaded by conftest.py from strategies.py
    budget,
    mutated_manifests,
    raw_byte_files,
    token_soup_files,
    yaml_like_files,
)
from hypothesis import example, given
from hypothesis.strategies import one_of

from policylint.cli import cli

HANG_SECONDS = 30.0
COMMANDS: tuple[tuple[str, tuple[str, ...], frozenset[int]], ...] = (
    ("lint", ("--format", "json"), frozenset({0, 1, 2})),
    ("matrix", (), frozenset({0, 2})),
    ("query", ("--from", "any", "--to", "any"), frozenset({0, 2})),
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="policylint-fuzz-") as name:
        yield Path(name)


def run_all(data: bytes, workdir: Path) -> None:
    """Write `data` to one file and hold every command to the invariant."""
    path = workdir / "in put ü.yaml"  # a space and a non-ASCII letter: messages must still name it
    path.write_bytes(data)
    for command, options, codes in COMMANDS:
        start = time.monotonic()
        result = CliRunner().invoke(cli, [command, str(path), *options], catch_exceptions=False)
        check(command, codes, result.exit_code, result.stdout, result.stderr, str(path), time.monotonic() - start)


def run_all_on_stdin(data: bytes) -> None:
    """Pipe `data` to `-` as a shell does: Python decodes stdin with errors="surrogateescape".

    (CliRunner decodes its input strictly, which no real stdin does, so it is not used here.)
    """
    for command, options, codes in COMMANDS:
        stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")
        out, err = io.StringIO(), io.StringIO()
        start = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), swapped_stdin(stdin):
            try:
                cli.main([command, "-", *options], prog_name="policylint")
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
            else:
                code = 0
        check(command, codes, code, out.getvalue(), err.getvalue(), "<stdin>", time.monotonic() - start)


@contextlib.contextmanager
def swapped_stdin(stream: io.TextIOWrapper) -> Iterator[None]:
    old = sys.stdin
    sys.stdin = stream
    try:
        yield
    finally:
        sys.stdin = old


def check(command: str, codes: frozenset[int], code: int, stdout: str, stderr: str, name: str, elapsed: float) -> None:
    context = f"{command}: exit {code}\n--- stdout\n{stdout[:3000]}\n--- stderr\n{stderr}"
    assert elapsed < HANG_SECONDS, f"took {elapsed:.1f}s\n{context}"
    assert code in codes, context
    for stream in (stdout, stderr):
        assert "Traceback" not in stream, context
        assert "internal error" not in stream, context
    # Problems name their file; `note:` lines say what the whole answer assumed (e.g. a namespace).
    unnamed = [line for line in stderr.splitlines()
               if line.strip() and name not in line and not line.startswith("note: ")]  # fmt: skip
    assert not unnamed, f"stderr lines that do not name the input: {unnamed}\n{context}"
    if command == "lint" and code != 2:
        check_lint_json(stdout, name, context)


def check_lint_json(stdout: str, path: str, context: str) -> None:
    findings = json.loads(stdout)["findings"]
    for f in findings:
        placed = f["file"] == path and isinstance(f["line"], int) and f["line"] >= 1
        assert placed, f"finding without a place: {f}\n{context}"
        assert "\n" not in f["message"], f"multi-line message: {f}\n{context}"


@budget(8.0)
@given(data=yaml_like_files())
@example(data=b"a:\n  b: !!bool maybe\n---\nc: !!float x\n")  # bad explicit scalar tags
def test_arbitrary_yaml_documents_never_crash_the_cli(data: bytes, workdir: Path) -> None:
    run_all(data, workdir)


@budget(3.0)
@given(data=token_soup_files())
@example(data=b"!!int ")  # found: IndexError in the int constructor -> "internal error" (fixed in load/yaml_build)
@example(data=b"\x1f")  # found: a control character gave a two-line message without its line (fixed in stream)
@example(data=b"\x1b[31m%YAML 1.1\n---\n")
def test_yaml_token_soup_never_crashes_the_cli(data: bytes, workdir: Path) -> None:
    run_all(data, workdir)


@budget(1.0)
@given(data=raw_byte_files)
def test_random_bytes_never_crash_the_cli(data: bytes, workdir: Path) -> None:
    run_all(data, workdir)


@budget(8.0)
@given(data=mutated_manifests())
# found: a name with a newline made every message about the object two lines (fixed in model/build)
@example(data=b"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: '\n\n    '\n")
# found: a list as a Calico rule's protocol was looked up as a dict key (fixed in model/build_calico_rules)
@example(data=b"apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: w, namespace: s}\n"
         b"spec:\n  ingress:\n  - action: Allow\n    protocol: [TCP, UDP]\n")  # fmt: skip
def test_mutated_fixture_manifests_never_crash_the_cli(data: bytes, workdir: Path) -> None:
    run_all(data, workdir)


@budget(1.0)
@given(data=one_of(yaml_like_files(), raw_byte_files))
@example(data=b"a: \xff\n")  # found: invalid UTF-8 on stdin crashed the YAML reader (fixed in load/documents)
def test_hostile_stdin_never_crashes_the_cli(data: bytes) -> None:
    run_all_on_stdin(data)
