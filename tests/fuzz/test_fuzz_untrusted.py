"""Fuzz what a pull request controls besides manifests: the config, file names and symlinks (issue 17).

- config files: `.policylint.yaml` of any shape (a list, a scalar, null, a wrong type under any
  key, broken YAML): read, or exit 2 with one line per error, each naming the config and its
  line; never a traceback or "internal error".
- file names: newlines, ANSI and OSC escapes, bidi overrides, undecodable bytes, names of 255
  bytes: the text and GitHub outputs keep one finding per line, with nothing unescaped.
- symlinks: loops, dangling links, links out of the root (to a checkout beside it, to `/`):
  nothing outside the root is read, every file inside still is, every link leaving is said.

Budgets are the profiles of strategies.py, as for test_fuzz_cli.py.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_strategies import budget, config_files, file_names  # loaded by conftest.py from strategies.py
from hypothesis import example, given
from hypothesis import strategies as st

from policylint.cli import cli
from policylint.load import load_paths

HANG_SECONDS = 30.0
POD = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x, labels: {app: a}}\n"


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="policylint-fuzz-") as name:
        root = Path(name)
        (root / "pod.yaml").write_bytes(POD)
        yield root


def invoke(args: list[str]) -> tuple[int, str, str, float]:
    start = time.monotonic()
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr, time.monotonic() - start


# --- config files -------------------------------------------------------------------------------------


@budget(1.5)
@given(data=config_files())
@example(data=b"[1, 2]\n")
@example(data=b"null\n")
@example(data=b"rules: {NP201: [1]}\nexpect: [{allow: {from: 1}}]\n")
@example(data=b"smt-timeout: " + b"9" * 5000 + b"\n")  # found: int() refused 5,000 digits -> internal error
@example(data=b"namespace: !!timestamp x\n")  # found: AttributeError in PyYAML's timestamp constructor
def test_any_config_is_read_or_is_one_located_error(data: bytes, workdir: Path) -> None:
    config = workdir / ".policylint.yaml"
    config.write_bytes(data)
    code, stdout, stderr, elapsed = invoke(["lint", str(workdir / "pod.yaml"), "--config", str(config),
                                            "--format", "json"])  # fmt: skip
    context = f"exit {code}\n--- stdout\n{stdout[:2000]}\n--- stderr\n{stderr}"
    assert elapsed < HANG_SECONDS, context
    assert code in (0, 1, 2), context
    for stream in (stdout, stderr):
        assert "Traceback" not in stream and "internal error" not in stream, context
    if code == 2:  # one line per schema error, each at its line; the first says it is an error
        first, *more = stderr.strip().splitlines()
        assert re.match(rf"policylint: error: {re.escape(str(config))}:\d+: \S", first), context
        assert all(re.match(rf"{re.escape(str(config))}:\d+: \S", line) for line in more), context


# --- file names -----------------------------------------------------------------------------------------


BROKEN = b"kind: Pod\nmetadata: {name: x\n"  # one NP001 per file, at line 3


def _unsafe(line: str) -> list[str]:
    """Characters a terminal or a log would act on: controls, bidi and other format characters."""
    return [ch for ch in line if not ch.isprintable()]


@budget(1.0)
@given(names=st.lists(file_names(), min_size=1, max_size=3, unique=True))
@example(names=[b"a\nb.yaml", b"\x1b[2J\xff.yaml"])
@example(names=[b"x" * 250])
def test_hostile_file_names_keep_one_escaped_finding_per_line(names: list[bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="policylint-names-") as tmp:
        root = Path(tmp) / "k8s"
        root.mkdir()
        files = {name[:250] + b".yaml" for name in names}
        for name in files:
            (root / os.fsdecode(name)).write_bytes(BROKEN)
        for fmt, marker in (("text", " NP001 "), ("github", "::error ")):
            code, stdout, stderr, elapsed = invoke(["lint", str(root), "--format", fmt, "--color", "never"])
            context = f"{fmt}: exit {code}\n--- stdout\n{stdout[:3000]!r}\n--- stderr\n{stderr!r}"
            assert elapsed < HANG_SECONDS and code == 1, context
            assert "Traceback" not in stdout + stderr and "internal error" not in stdout + stderr, context
            lines = stdout.splitlines()
            assert sum(marker in line for line in lines) == len(files), context  # one line per finding
            assert not [line for line in lines if _unsafe(line)], context


# --- symlinks ---------------------------------------------------------------------------------------------

TARGETS = ["self", "parent", "root", "file", "dir", "dangling", "outside-file", "outside-dir", "slash", "loop"]


@st.composite
def layouts(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """(folder, name, what) entries: what is `file`, `dir` or `link:<target>`."""
    entries: list[tuple[str, str, str]] = []
    folders = [""]
    for i in range(draw(st.integers(1, 8))):
        folder = draw(st.sampled_from(folders))
        what = draw(st.sampled_from(["file", "dir", "link", "link"]))
        if what == "link":
            what = "link:" + draw(st.sampled_from(TARGETS))
        entries.append((folder, f"e{i}", what))
        if what == "dir":
            folders.append(f"{folder}/e{i}".strip("/"))
    return entries


def build(tmp: Path, layout: list[tuple[str, str, str]]) -> tuple[Path, set[str], set[str]]:
    """The tree; the pod names reachable without leaving it; the links that leave it or lead nowhere."""
    outside = tmp / "other-checkout"
    outside.mkdir()
    (outside / "leak.yaml").write_bytes(POD.replace(b"name: p", b"name: leaked"))
    root = tmp / "repo" / "k8s"
    root.mkdir(parents=True)
    inside: set[str] = set()
    leaving: set[str] = set()
    last_file = last_dir = None
    for folder, name, what in layout:
        path = root / folder / name
        if what == "file":
            path.with_suffix(".yaml").write_bytes(POD.replace(b"name: p", f"name: {name}".encode()))
            inside.add(name)
            last_file = path.with_suffix(".yaml")
        elif what == "dir":
            path.mkdir()
            last_dir = path
        else:
            target = what.split(":", 1)[1]
            dest = {
                "self": path, "parent": path.parent, "root": root, "file": last_file, "dir": last_dir,
                "dangling": root / "missing.yaml", "outside-file": outside / "leak.yaml", "outside-dir": outside,
                "slash": Path("/"), "loop": path.parent / f"{name}-b",
            }[target]  # fmt: skip
            if dest is None:
                continue
            link = path.with_suffix(".yaml") if target in ("file", "outside-file", "dangling") else path
            link.symlink_to(dest)
            if target == "loop":
                dest.symlink_to(link)
            if target in ("outside-file", "outside-dir", "slash"):
                leaving.add(str(link))
    return root, inside, leaving


@budget(1.0)
@given(layout=layouts())
@example(layout=[("", "e0", "link:slash"), ("", "e1", "link:outside-dir"), ("", "e2", "file")])
@example(layout=[("", "e0", "dir"), ("e0", "e1", "link:parent"), ("e0", "e2", "link:loop"), ("", "e3", "file")])
def test_symlinks_never_lead_outside_the_root_nor_hide_what_is_inside(layout: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="policylint-links-") as name:
        root, inside, leaving = build(Path(name), layout)
        start = time.monotonic()
        result = load_paths([str(root)])
        assert time.monotonic() - start < HANG_SECONDS
        names = {w.name for w in result.cluster.workloads}
        assert "leaked" not in names  # nothing from outside the root
        assert names == inside  # everything inside, once
        said = {p.span.file for p in result.problems if "outside the paths given" in p.message}
        assert leaving <= said, (leaving, said)  # every link that leaves is said
        code, stdout, stderr, _ = invoke(["matrix", str(root)])
        assert code in (0, 2) and "Traceback" not in stderr and "internal error" not in stderr
        assert "leaked" not in stdout
