"""Crashes and silent passes at the edges of the command line (issue 17, point 7).

Each case runs the installed CLI in a subprocess, from a scratch folder, as a shell would: the
defects were in how standard streams and output files fail, which an in-process runner hides.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policylint", *args], cwd=cwd, capture_output=True, text=True)


def one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("policylint: error: ") and all(w in line for w in words), line


@pytest.fixture
def pod(tmp_path: Path) -> Path:
    (tmp_path / "pod.yaml").write_text(POD, encoding="utf-8")
    return tmp_path


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [("rules",), ("rules", "NP502"), ("lint", "pod.yaml", "--format", "json"), ("matrix", "pod.yaml"),
     ("query", "pod.yaml", "--from", "any", "--to", "any"), ("exposure", "pod.yaml")],  # fmt: skip
)
def test_full_disk_is_one_line_and_exit_2(pod: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run([sys.executable, "-m", "policylint", *args], cwd=pod, stdout=full,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    one_clear_line(done, "cannot write standard output", "No space left on device")


def test_closed_stdout_is_an_error_not_a_silent_pass(pod: Path) -> None:
    # `>&-`: Python starts with sys.stdout None; the findings must not vanish with exit 0.
    for args in (("lint", "pod.yaml"), ("matrix", "pod.yaml"), ("rules",)):
        done = subprocess.run(f"{sys.executable} -m policylint {' '.join(args)} >&-", shell=True, cwd=pod,
                              capture_output=False, stderr=subprocess.PIPE, text=True)  # fmt: skip
        one_clear_line(done, "standard output is closed")


def test_reader_leaving_early_is_quiet(pod: Path) -> None:
    done = subprocess.run(f"{sys.executable} -m policylint rules | true", shell=True, cwd=pod,
                          stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""


def test_closed_stdin_is_an_input_error(pod: Path) -> None:
    done = subprocess.run(f"{sys.executable} -m policylint lint - <&-", shell=True, cwd=pod,
                          capture_output=True, text=True)  # fmt: skip
    one_clear_line(done, "-: standard input is closed")


@pytest.mark.parametrize("command", ["lint", "matrix", "diff"])
def test_missing_output_folder_names_the_file(pod: Path, command: str) -> None:
    paths = ("pod.yaml", "pod.yaml") if command == "diff" else ("pod.yaml",)
    done = run(pod, command, *paths, "-o", "no/such/dir/out.txt")
    one_clear_line(done, "cannot write no/such/dir/out.txt", "No such file or directory")


def test_docs_into_something_that_is_not_a_folder(pod: Path) -> None:
    done = run(pod, "docs", "--out", "pod.yaml/x")
    one_clear_line(done, "cannot write pod.yaml/x/rules.md")


@pytest.mark.parametrize(
    "config",
    ["[1, 2]\n", "42\n", "null\n", "'text'\n", "paths: 3\n", "namespace: [1]\n", "rules: 5\n",
     "rules: {NP301: [1]}\n", "extends: {a: 1}\n", "cni: {a: 1}\n", "assumptions: 1\n", "{1: 2}\n",
     "paths: [null]\n", "namespace: ''\n", "paths: [k8s\n", "\t\n"],  # fmt: skip
)
def test_config_of_any_shape_is_one_located_line(pod: Path, config: str) -> None:
    (pod / ".policylint.yaml").write_text(config, encoding="utf-8")
    done = run(pod, "lint", "pod.yaml")
    one_clear_line(done, ".policylint.yaml")


def test_diff_without_lint_still_names_input_problems(pod: Path) -> None:
    (pod / "base").mkdir()
    (pod / "head").mkdir()
    (pod / "head" / "bad.yaml").write_text("kind: Pod\nmetadata: {name: b\n", encoding="utf-8")
    done = run(pod, "diff", "base", "head")
    assert done.returncode == 0
    assert "bad.yaml:3:1: NP001 invalid YAML" in done.stderr


def test_diff_of_a_path_at_neither_revision_is_an_error(pod: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=pod, check=True)
    subprocess.run([*git, "add", "."], cwd=pod, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=pod, check=True)
    one_clear_line(run(pod, "diff", "--git-base", "HEAD", "does-not-exist"), "does-not-exist")
    one_clear_line(run(pod, "diff", "--git-base", "no-such-rev", "pod.yaml"), "'no-such-rev'")


def test_sigterm_during_a_git_diff_leaves_no_temporary_files(tmp_path: Path) -> None:
    # The revision is copied to a temporary folder; the default SIGTERM action (a cancelled CI job)
    # ended the process without removing it.
    repo, scratch = tmp_path / "repo", tmp_path / "tmp"
    (repo / "k8s").mkdir(parents=True)
    scratch.mkdir()
    pods = "---\n".join(POD.replace("name: a", f"name: p{i}") for i in range(400))
    (repo / "k8s" / "pods.yaml").write_text(pods, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], cwd=repo, check=True)
    (repo / "k8s" / "pods.yaml").write_text(pods.replace("app: a", "app: b"), encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(scratch), "POLICYLINT_NO_CACHE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "policylint", "diff", "--git-base", "HEAD", "k8s"], cwd=repo,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    # once the revision is being written (not between mkdtemp and the `with`: microseconds, not covered)
    while not any(scratch.glob("*/*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the diff ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(scratch.iterdir()) == []


POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-a, namespace: x}
spec:
  podSelector: {matchLabels: {app: a}}
  policyTypes: [Ingress]
"""


def test_pre_commit_hook_runs_on_a_commit_that_only_deletes_a_workload(tmp_path: Path) -> None:
    # pre-commit passes no deleted file, so the hook used to be skipped; the deletion leaves the
    # policy in another file selecting nothing. The hook now always runs (.pre-commit-hooks.yaml).
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["always_run"] is True and hooks[0]["entry"] == "policylint lint --only-files"
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pod.yaml").write_text(POD, encoding="utf-8")
    (tmp_path / "k8s" / "policy.yaml").write_text(POLICY, encoding="utf-8")
    other = POD.replace("name: a", "name: b").replace("app: a", "app: b")
    (tmp_path / "k8s" / "other.yaml").write_text(other, encoding="utf-8")
    (tmp_path / ".policylint.yaml").write_text("paths: [k8s]\nrules: {NP307: disable}\n", encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True)
    quiet = run(tmp_path, "lint", "--only-files")  # what pre-commit runs when no YAML file is staged
    assert quiet.returncode == 0 and "NP201" not in quiet.stdout
    subprocess.run([*git, "rm", "-q", "k8s/pod.yaml"], cwd=tmp_path, check=True)
    done = run(tmp_path, "lint", "--only-files")
    # The hook ran and saw the policy that now selects nothing in the input (info: a pod created
    # outside the repository could still carry app=a, so it does not block the commit by default).
    assert done.returncode == 0, done.stdout + done.stderr
    assert "k8s/policy.yaml:5:" in done.stdout and "NP201" in done.stdout
