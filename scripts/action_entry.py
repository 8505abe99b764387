#!/usr/bin/env python3
"""Entry point of the policylint GitHub Action (action.yml); runnable locally with the same environment.

Reads the action inputs from INPUT_* variables (PATHS, CONFIG, FAIL_ON, DIFF_FAIL_ON, BASE_REF) and
the usual GITHUB_* ones, then:
  1. lints to a SARIF file (for code scanning) and as workflow-command annotations (in the log);
  2. when there is a base ref, diffs the manifests against it (`policylint diff --git-base`), writing
     the Markdown summary to $GITHUB_STEP_SUMMARY and to a file a comment step can post;
  3. writes the outputs findings, added, removed, exposures, sarif-file, summary-file and failed to
     $GITHUB_OUTPUT.
It exits 0 when the checks ran (the action fails in a later step when `failed` is true, so the SARIF
upload and the comment still happen), and 2 when policylint could not run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

LINT_FAIL_ON = ("error", "warning", "info", "never")
DIFF_FAIL_ON = ("added", "new-exposure", "never")


class ActionError(Exception):
    pass


def workflow_data(text: str) -> str:
    """Escape a workflow command's message (%, CR, LF) so a file name cannot forge annotations.

    As GitHub's toolkit does (actions/toolkit packages/core/src/command.ts); the same as
    policylint.reporters.escape.workflow_data, copied because this script runs before install checks.
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        escaped)  # fmt: skip


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # as reporters/escape.py


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def policylint(args: list[str], ok: tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess[str]:
    """Run the installed policylint; exit codes outside `ok` are errors."""
    cmd = [sys.executable, "-m", "policylint", *args]
    sys.stderr.write(f"+ policylint {shlex.join(args)}\n")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in ok:
        raise ActionError(f"policylint {args[0]} failed (exit {done.returncode}): {done.stderr.strip()}")
    return done


def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = env(name, default)
    if value not in allowed:
        raise ActionError(f"{name.removeprefix('INPUT_').lower().replace('_', '-')}: '{value}' is not one of {allowed}")
    return value


def common_args() -> list[str]:
    config = env("INPUT_CONFIG")
    return ["--config", config] if config else []


def paths() -> list[str]:
    """The `paths` input (whitespace-separated); empty: the config's `paths:`, or the whole repository."""
    given = env("INPUT_PATHS").split()
    if given:
        return given
    config = Path(env("INPUT_CONFIG", ".policylint.yaml"))
    if config.is_file():
        import yaml

        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return []  # policylint itself reads the config next and reports what is wrong in one line
        if isinstance(data, dict) and data.get("paths"):
            return []
    return ["."]


def configured_paths() -> list[str] | None:
    """The config's `paths:` as policylint resolves them (None: no config, or one policylint will reject)."""
    from policylint.api import config_paths  # installed by the step before this one
    from policylint.config import ConfigError, find_config, load_config

    given = env("INPUT_CONFIG")
    path = Path(given) if given else find_config(Path.cwd())
    if path is None or not path.is_file():
        return None
    try:
        return config_paths(load_config(path))
    except ConfigError:
        return None  # the lint step reports it in one line


def deleted_by_the_change(targets: list[str]) -> bool:
    """Every path to lint is gone from the working tree: the change deletes all the manifests.

    Linting nothing is an error, but such a change is legitimate and its diff (the workloads
    removed) is what the reviewer needs, so the lint is skipped and the diff still runs.
    """
    named = targets or configured_paths() or []
    return bool(named) and not any(os.path.lexists(t) for t in named)


EMPTY_SARIF = {
    "version": "2.1.0",
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "runs": [{"tool": {"driver": {"name": "policylint"}}, "results": []}],
}


def git(*args: str) -> str | None:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def base_revision(base_ref: str) -> str:
    """`origin/<base>`, fetched when the checkout does not have it; else the ref as given."""
    remote = f"origin/{base_ref}"
    if git("rev-parse", "--verify", "--quiet", f"{remote}^{{commit}}"):
        return remote
    spec = f"+refs/heads/{base_ref}:refs/remotes/{remote}"
    if git("fetch", "--no-tags", "--depth=1", "origin", spec) is not None:
        return remote
    if git("rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}"):
        return base_ref
    raise ActionError(
        f"base ref {base_ref!r} not found (neither {remote} nor {base_ref}); check out with fetch-depth: 0"
    )


def lint(out: Path, targets: list[str], fail_on: str, emptied: bool = False) -> tuple[int, bool]:
    """(number of findings, whether they reach fail-on); annotations go to the log.

    `emptied`: the change removes workloads; when then nothing is left to lint (only "no
    Kubernetes manifest found"), that is the change itself, not a finding.
    """
    sarif = out / "policylint.sarif"
    policylint(["lint", *common_args(), *targets, "--format", "sarif", "--output", str(sarif), "--fail-on", "never"])
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    if emptied and results and all(_no_manifest(r) for r in results):
        sys.stdout.write("::notice title=policylint::the change deletes every manifest: no lint, diff only\n")
        sarif.write_text(json.dumps(EMPTY_SARIF), encoding="utf-8")  # closes old alerts
        return 0, False
    annotations = policylint(["lint", *common_args(), *targets, "--format", "github", "--fail-on", fail_on])
    sys.stdout.write(annotations.stdout)
    return len(results), annotations.returncode == 1


def _no_manifest(result: dict[str, object]) -> bool:
    message = result.get("message")
    text = message.get("text", "") if isinstance(message, dict) else ""
    return result.get("ruleId") == "NP004" and str(text).startswith("no Kubernetes manifest found")


def diff(out: Path, targets: list[str], base: str, fail_on: str) -> tuple[dict[str, int], bool, str]:
    """(summary counts, whether fail-on triggered, markdown summary)."""
    args = ["diff", "--git-base", base, *common_args(), *targets]
    data = policylint([*args, "--format", "json", "--fail-on", fail_on])
    summary = out / "policylint-summary.md"
    policylint([*args, "--format", "md", "--lint", "--output", str(summary)])
    counts: dict[str, int] = json.loads(data.stdout)["summary"]
    return counts, data.returncode == 1, summary.read_text(encoding="utf-8")


def append(name: str, text: str) -> None:
    target = env(name)
    if target and text:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)


def run() -> bool:
    out = Path(env("RUNNER_TEMP") or tempfile.mkdtemp(prefix="policylint-"))
    out.mkdir(parents=True, exist_ok=True)
    targets = paths()
    lint_fail_on = choice("INPUT_FAIL_ON", LINT_FAIL_ON, "error")
    base_ref = env("INPUT_BASE_REF") or env("GITHUB_BASE_REF")
    counts: dict[str, int] = {}
    diff_failed, markdown = False, ""
    if base_ref:  # first: what the change removes decides whether an empty tree is a finding
        fail_on = choice("INPUT_DIFF_FAIL_ON", DIFF_FAIL_ON, "never")
        counts, diff_failed, markdown = diff(out, targets, base_revision(base_ref), fail_on)
    if base_ref and deleted_by_the_change(targets):
        sys.stdout.write("::notice title=policylint::the change deletes every manifest: no lint, diff only\n")
        (out / "policylint.sarif").write_text(json.dumps(EMPTY_SARIF), encoding="utf-8")  # closes old alerts
        findings, lint_failed = 0, False
    else:
        findings, lint_failed = lint(out, targets, lint_fail_on, emptied=counts.get("workloads_removed", 0) > 0)
    summary = out / "policylint-summary.md"
    summary.write_text(markdown, encoding="utf-8")
    append("GITHUB_STEP_SUMMARY", markdown)
    outputs = {
        "findings": findings,
        "added": counts.get("added", 0),
        "removed": counts.get("removed", 0),
        "exposures": counts.get("new_exposures", 0),
        "sarif-file": out / "policylint.sarif",
        "summary-file": summary,
        "failed": str(lint_failed or diff_failed).lower(),
    }
    append("GITHUB_OUTPUT", "".join(f"{k}={v}\n" for k, v in outputs.items()))
    sys.stdout.write(
        f"policylint: {findings} finding(s); connections added {outputs['added']}, removed {outputs['removed']}\n"
    )
    return lint_failed or diff_failed


def main() -> int:
    workspace = env("GITHUB_WORKSPACE")
    if workspace:
        os.chdir(workspace)
    try:
        run()
    except ActionError as exc:
        sys.stdout.write(f"::error title=policylint::{workflow_data(str(exc))}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
