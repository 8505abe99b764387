"""`policylint diff`: what a change does to connectivity (and, with --lint, which findings it adds).

Two forms:
  policylint diff BASE HEAD                            two paths (files or directories)
  policylint diff --git-base REV [--git-head REV] [PATHS...]
                                                       PATHS read at REV with git (a temporary copy;
                                                       the working tree is never touched); without
                                                       --git-head, HEAD is the working tree; without
                                                       PATHS, the config's `paths:`
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from policylint.cli.common import InputError, handle_errors, input_options, input_paths, load_input, resolve_config
from policylint.config import Config
from policylint.engine.concrete import Evaluator
from policylint.findings import Finding
from policylint.model.cluster import Cluster
from policylint.queries.diff import Diff, diff
from policylint.queries.diff_statements import Prover
from policylint.queries.impact import Impact
from policylint.reporters import summary_md
from policylint.reporters.diff import render_json, render_text
from policylint.runner import LoadedInput, SimpleInput, lint

FORMATS = ("text", "json", "md")
FAIL_ON = ("added", "new-exposure", "never")


@dataclass(frozen=True, slots=True)
class Side:
    loaded: LoadedInput
    files: dict[str, str]  # prefix as loaded -> prefix to show and match findings by


def git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=True)
    except FileNotFoundError as exc:
        raise InputError("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}") from exc
    return done.stdout


def repo_relative(paths: list[str], top: Path) -> list[str]:
    out = []
    for p in paths:
        try:
            out.append(Path(os.path.realpath(p)).relative_to(top).as_posix())
        except ValueError:
            raise InputError(f"{p}: not inside the git repository {top}") from None
    return out


def export(rev: str, rels: list[str], top: Path, dest: Path) -> list[str]:
    """Write the blobs under `rels` at `rev` into `dest`; the paths that exist there."""
    git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    listing = git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", *rels], top).split(b"\0")
    entries: list[tuple[bytes, str]] = []
    for entry in filter(None, listing):
        meta, path = entry.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((oid, path.decode()))
    blobs = git(["cat-file", "--batch"], top, b"".join(oid + b"\n" for oid, _ in entries))
    pos = 0
    for _oid, name in entries:
        header_end = blobs.index(b"\n", pos)
        size = int(blobs[pos:header_end].split()[2])
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[header_end + 1 : header_end + 1 + size])
        pos = header_end + 1 + size + 1
    return [str(dest / r) for r in rels if (dest / r).exists()]


def load(paths: list[str], config: Config) -> LoadedInput:
    existing = [p for p in paths if os.path.exists(p)]
    if not existing:
        return SimpleInput(Cluster.of([], []))  # the manifests do not exist (yet, or any more)
    loaded: LoadedInput = load_input(existing, config).loaded
    return loaded


def git_side(rev: str | None, paths: list[str], config: Config, tmp: Path) -> Side:
    top = Path(git(["rev-parse", "--show-toplevel"], Path.cwd()).decode().strip()).resolve()
    if rev is None:
        return Side(load(paths, config), {})
    dest = Path(tempfile.mkdtemp(dir=tmp))
    rels = repo_relative(paths, top)
    return Side(load(export(rev, rels, top, dest), config), {str(dest): os.path.relpath(top)})


def path_side(path: str, other: str, config: Config) -> Side:
    """BASE findings are matched to HEAD as if BASE lay at HEAD's place."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or directory")
    return Side(load([path], config), {path.rstrip("/"): other.rstrip("/")})


def relocate(findings: list[Finding], files: dict[str, str]) -> list[Finding]:
    out = []
    for f in findings:
        name = f.span.file
        for old, new in files.items():
            if name == old or name.startswith(old + os.sep):
                name = new + name[len(old) :]
                break
        name = name if name.startswith("<") else os.path.normpath(name)
        out.append(replace(f, span=replace(f.span, file=name)))
    return out


def compare(base: Side, head: Side, config: Config, with_lint: bool, smt: tuple[int, float] | None) -> Impact:
    """`smt`: (timeout per call in ms, budget in s) for symbolic statements, None for concrete grouping only."""
    assume = config.assumptions
    evs = Evaluator(base.loaded.cluster, assume), Evaluator(head.loaded.cluster, assume)
    result = diff(*evs)
    prover = Prover.create(*evs, timeout_ms=smt[0], budget_seconds=smt[1]) if smt and not result.empty else None
    if not with_lint:
        return Impact.of(result, prover)
    old = relocate(lint(base.loaded, config).findings, base.files)
    new = relocate(lint(head.loaded, config).findings, head.files)
    return Impact.of(result, prover, old, new)


def triggered(result: Diff, fail_on: str) -> bool:
    if fail_on == "added":
        return result.allows_more()
    if fail_on == "new-exposure":
        return bool(result.exposures())
    return False


def render(impact: Impact, fmt: str) -> str:
    renderer = {"json": render_json, "md": summary_md.render}.get(fmt, render_text)
    return renderer(impact)


@click.command("diff")
@click.argument("args", nargs=-1, metavar="[BASE HEAD | PATHS...]")
@click.option("--git-base", metavar="REV", help="Read PATHS at this git revision as BASE.")
@click.option("--git-head", metavar="REV", help="Read PATHS at this git revision as HEAD (default: the working tree).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="never",
    show_default=True,
    help="Exit 1 when HEAD allows a connection BASE did not (added), or when a workload becomes reachable "
    "from another namespace or from outside the cluster (new-exposure).",
)
@click.option("--lint", "with_lint", is_flag=True, help="Also lint both sides and report the new findings.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the result to this file.")
@click.option("--smt/--no-smt", default=True, show_default=True,
              help="Prove with z3 where a change holds for any pod of a namespace (\"any pod in namespace x\"), "
              "not only for its workloads.")  # fmt: skip
@click.option(
    "--smt-timeout",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Milliseconds per solver call; an undecided statement stays concrete.",
)
@click.option(
    "--smt-budget",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds of solver time for the whole run; past it, statements stay concrete.",
)
@input_options
def diff_command(args: tuple[str, ...], **opts: Any) -> None:
    """Connections added, removed and changed between BASE and HEAD, and workloads that appear or disappear.

    Exit status: 0, or 1 when --fail-on is triggered, 2 usage, config or input error.
    """
    with handle_errors(opts["debug"]):
        config = resolve_config(opts)
        with tempfile.TemporaryDirectory(prefix="policylint-diff-") as tmp:
            if opts["git_base"]:
                paths = input_paths(args, config)
                base = git_side(opts["git_base"], paths, config, Path(tmp))
                head = git_side(opts["git_head"], paths, config, Path(tmp))
            elif opts["git_head"]:
                raise click.UsageError("--git-head needs --git-base")
            elif len(args) != 2:
                raise click.UsageError("give BASE and HEAD paths, or --git-base REV and PATHS")
            else:
                base, head = path_side(args[0], args[1], config), path_side(args[1], args[1], config)
            smt = (opts["smt_timeout"], opts["smt_budget"]) if opts["smt"] else None
            impact = compare(base, head, config, opts["with_lint"], smt)
        output = render(impact, opts["fmt"])
        if opts["output"]:
            Path(opts["output"]).write_text(output, encoding="utf-8")
        else:
            click.echo(output, nl=False)
    sys.exit(1 if triggered(impact.diff, opts["fail_on"]) else 0)
