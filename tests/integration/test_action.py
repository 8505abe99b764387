"""The GitHub Action's entry script, run as the action runs it, in a pull request of two commits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "scripts" / "action_entry.py"
SHOP = ROOT / "fixtures" / "examples" / "shop"
OPEN_API = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-public, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: 9000}]}]
"""


def git(cwd: Path, *args: str) -> None:
    cmd = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args]
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)


def pull_request(tmp_path: Path) -> Path:
    """origin/main holds the shop example; the checked-out branch adds a policy open to every source."""
    origin, repo = tmp_path / "origin.git", tmp_path / "repo"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(repo))
    shutil.copytree(SHOP, repo / "k8s")
    (repo / ".policylint.yaml").write_text("paths: [k8s]\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "shop")
    git(repo, "push", "-q", "origin", "main")
    git(repo, "checkout", "-q", "-b", "open-api")
    (repo / "k8s" / "public.yaml").write_text(OPEN_API, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "open the api")
    return repo


def run_action(tmp_path: Path, repo: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    runner_temp = tmp_path / "runner-temp"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_BASE_REF="main",
        GITHUB_WORKSPACE=str(repo),
        GITHUB_OUTPUT=str(tmp_path / "output"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary"),
        RUNNER_TEMP=str(runner_temp),
        INPUT_PATHS="",
        INPUT_CONFIG="",
        INPUT_FAIL_ON="error",
        INPUT_DIFF_FAIL_ON="never",
        INPUT_BASE_REF="main",  # action.yml's default: ${{ github.base_ref }}
    )
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    for name in ("output", "summary"):
        (tmp_path / name).write_text("", encoding="utf-8")
    done = subprocess.run([sys.executable, str(ENTRY)], cwd=tmp_path, env=env, capture_output=True, text=True)
    return done, runner_temp


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "output").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_pull_request_gets_sarif_annotations_summary_and_outputs(tmp_path: Path) -> None:
    repo = pull_request(tmp_path)
    done, runner_temp = run_action(tmp_path, repo)
    assert done.returncode == 0, done.stderr + done.stdout
    out = outputs(tmp_path)
    assert {k: out[k] for k in ("added", "removed", "exposures", "failed")} == {
        "added": "3",
        "removed": "0",
        "exposures": "2",
        "failed": "false",
    }
    assert "::warning file=k8s/public.yaml,line=8,col=13,title=NP301 allows-all-sources::" in done.stdout
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    assert "**3 connections added, 0 removed; 1 new finding, 1 fixed**" in summary
    assert "| `0.0.0.0/0,::/0` | `shop/api[Deployment]` | TCP 9000 |" in summary
    assert "- `k8s/public.yaml:8` **NP301** allows-all-sources" in summary
    assert Path(out["summary-file"]).read_text(encoding="utf-8") == summary
    sarif = json.loads(Path(out["sarif-file"]).read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert out["findings"] == str(len(results)) and Path(out["sarif-file"]).parent == runner_temp
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results}
    assert ("NP301", "k8s/public.yaml") in located


def test_fail_inputs_mark_the_run_failed_without_stopping_it(tmp_path: Path) -> None:
    repo = pull_request(tmp_path)
    done, _ = run_action(tmp_path, repo, fail_on="warning", diff_fail_on="new-exposure")
    assert done.returncode == 0
    assert outputs(tmp_path)["failed"] == "true"
    assert (tmp_path / "summary").read_text(encoding="utf-8").startswith("## policylint: change impact")


def test_no_change_writes_no_summary(tmp_path: Path) -> None:
    repo = pull_request(tmp_path)
    done, _ = run_action(tmp_path, repo, base_ref="open-api")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "summary").read_text(encoding="utf-8") == ""
    assert outputs(tmp_path)["added"] == "0"


def test_bad_input_value_is_an_error_annotation(tmp_path: Path) -> None:
    repo = pull_request(tmp_path)
    done, _ = run_action(tmp_path, repo, diff_fail_on="sometimes")
    assert done.returncode == 2
    assert "::error title=policylint::diff-fail-on: 'sometimes' is not one of" in done.stdout


def test_action_yml_runs_the_entry_script_with_the_documented_inputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"paths", "config", "fail-on", "base-ref", "sarif", "python-version"} <= action["inputs"].keys()
    assert action["inputs"]["base-ref"]["default"] == "${{ github.base_ref }}"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/setup-python@") and any(
        u.startswith("github/codeql-action/upload-sarif@") for u in uses
    )
    runs = " ".join(s.get("run", "") for s in steps)
    assert 'pip install --disable-pip-version-check --quiet "${{ github.action_path }}"' in runs
    assert "scripts/action_entry.py" in runs
    assert {"findings", "added", "removed"} <= action["outputs"].keys()


FAKE_GH = """#!{python}
# Records each call. `api user` answers $LOGIN (fails when unset, as GITHUB_TOKEN does); the comment
# listing applies the step's --jq filter with the real jq to the comments in $COMMENTS (JSON).
import os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["GH_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(args) + "\\n<end of call>\\n")
if args[:2] == ["api", "user"]:
    login = os.environ.get("LOGIN", "")
    print(login) if login else sys.exit(1)
elif "--paginate" in args:
    jq = args[args.index("--jq") + 1]
    sys.stdout.write(subprocess.run(["jq", "-r", jq], input=os.environ["COMMENTS"], text=True,
                                    capture_output=True, check=True).stdout)
"""
MARKER = "<!-- policylint-summary -->"
BOT = "github-actions[bot]"


def comment(number: int, login: str, body: str = MARKER + "\nold") -> dict[str, object]:
    return {"id": number, "user": {"login": login}, "body": body}


def comment_step(tmp_path: Path, summary: str, comments: list[dict[str, object]], login: str = "") -> list[str]:
    """Run action.yml's comment step as the runner would, with a `gh` that records its calls."""
    if shutil.which("jq") is None:
        pytest.skip("jq (used by the fake gh to apply the step's filter) is not installed")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    [step] = [s for s in action["runs"]["steps"] if s.get("name") == "Comment on the pull request"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    (tmp_path / "summary.md").write_text(summary, encoding="utf-8")
    log = tmp_path / "gh.log"
    log.unlink(missing_ok=True)
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        GH_LOG=str(log),
        COMMENTS=json.dumps(comments),
        LOGIN=login,
        GH_TOKEN="t",
        PR="7",
        SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_REPOSITORY="acme/k8s",
    )
    subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=True, capture_output=True)
    calls = log.read_text(encoding="utf-8").split("\n<end of call>\n")[:-1] if log.exists() else []
    return [c for c in calls if not c.startswith("api user")]


def test_comment_step_posts_a_new_summary_then_updates_it_in_place(tmp_path: Path) -> None:
    listing = "api repos/acme/k8s/issues/7/comments --paginate --jq"
    calls = comment_step(tmp_path, "## policylint: change impact\n", [])
    assert calls[0].startswith(listing)
    marker = "-f body=<!-- policylint-summary -->"
    assert calls[1].startswith(f"api repos/acme/k8s/issues/7/comments {marker}\n## policylint")
    calls = comment_step(tmp_path, "## policylint: change impact\n", [comment(42, BOT)])
    assert calls[1].startswith("api -X PATCH repos/acme/k8s/issues/comments/42 -f body=<!-- policylint-summary -->")


def test_comment_step_says_nothing_changed_only_where_it_commented_before(tmp_path: Path) -> None:
    assert len(comment_step(tmp_path, "", [])) == 1  # the listing, no post
    calls = comment_step(tmp_path, "", [comment(42, BOT)])
    assert "comments/42 -f body=<!-- policylint-summary -->\npolicylint: no connectivity change" in calls[1]


def test_comment_step_updates_only_a_comment_the_bot_wrote(tmp_path: Path) -> None:
    # Anyone can post a comment starting with the marker; updating theirs would let a PR author's
    # comment be overwritten, or hide the real summary behind a forged one (issue 17, point 9).
    forged = comment(41, "mallory", MARKER + "\nall clear")
    calls = comment_step(tmp_path, "## policylint: change impact\n", [comment(40, BOT), forged])
    assert calls[1].startswith("api -X PATCH repos/acme/k8s/issues/comments/40 ")
    calls = comment_step(tmp_path, "## policylint: change impact\n", [forged])
    assert calls[1].startswith("api repos/acme/k8s/issues/7/comments -f body=")  # a new comment, not #41
    # A personal token comments as its user, found with `gh api user`.
    calls = comment_step(tmp_path, "## x\n", [comment(40, BOT), comment(43, "ci-user")], login="ci-user")
    assert calls[1].startswith("api -X PATCH repos/acme/k8s/issues/comments/43 ")


def test_pull_request_deleting_every_manifest_reports_the_removed_workloads(tmp_path: Path) -> None:
    # The config's `paths: [k8s]` no longer exists at HEAD: linting nothing is an input error, but
    # the change is legitimate and the reviewer needs its diff (issue 17, point 7).
    repo = pull_request(tmp_path)
    git(repo, "rm", "-q", "-r", "k8s")
    git(repo, "commit", "-q", "-m", "move the shop out")
    done, runner_temp = run_action(tmp_path, repo)
    assert done.returncode == 0, done.stdout + done.stderr
    out = outputs(tmp_path)
    assert out["failed"] == "false" and out["findings"] == "0"
    assert json.loads((runner_temp / "policylint.sarif").read_text(encoding="utf-8"))["runs"][0]["results"] == []
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    assert "workloads removed" in summary and "### Removed workloads" in summary


def test_malformed_config_is_one_error_annotation_not_a_traceback(tmp_path: Path) -> None:
    repo = pull_request(tmp_path)
    (repo / ".policylint.yaml").write_text("paths: [k8s\n", encoding="utf-8")
    done, _ = run_action(tmp_path, repo)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    [error] = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert ".policylint.yaml:2: invalid YAML" in error


def test_pull_request_deleting_every_manifest_of_the_whole_repository(tmp_path: Path) -> None:
    # Without `paths:` the Action lints `.`; with every manifest gone that is "no manifest found",
    # which the change itself caused: not a finding that fails the run.
    repo = pull_request(tmp_path)
    (repo / ".policylint.yaml").unlink()
    git(repo, "rm", "-q", "-r", "k8s")
    git(repo, "commit", "-q", "-am", "move the shop out")
    done, runner_temp = run_action(tmp_path, repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs(tmp_path)["failed"] == "false" and outputs(tmp_path)["findings"] == "0"
    assert "::error" not in done.stdout
    assert "### Removed workloads" in (tmp_path / "summary").read_text(encoding="utf-8")
