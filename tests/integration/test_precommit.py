"""The pre-commit hook, installed by pre-commit itself (`try-repo`) from the checkout under test.

pre-commit builds a virtualenv and pip-installs policylint from the hook repository, so this test
needs the network (or a local wheel cache) and takes a while: one build per `try-repo` run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"
TYPO_POLICY = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: postgres-from-api, namespace: data}
spec:
  podSelector: {matchLabels: {app: postgres}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: apii}}}]
    ports: [{port: 5432}]
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def pre_commit() -> list[str]:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed (it is in the test extras)")
    return [found]


def git(cwd: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def hook_repo(tmp_path: Path) -> Path:
    """The checkout under test as pre-commit sees it: its files (tracked or not, unless ignored), committed."""
    repo = tmp_path / "policylint"
    listing = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listing):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "checkout under test")
    return repo


def user_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "cluster"
    shutil.copytree(SHOP, repo / "k8s")
    (repo / ".policylint.yaml").write_text("paths: [k8s]\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "cluster")
    return repo


def try_repo(hooks: Path, repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    cmd = [*pre_commit(), "try-repo", str(hooks), "policylint", "--verbose"]
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def test_a_bad_manifest_fails_the_commit_and_the_fixed_one_passes(tmp_path: Path) -> None:
    hooks, repo = hook_repo(tmp_path), user_repo(tmp_path)
    policy = repo / "k8s" / "postgres-policy.yaml"
    policy.write_text(TYPO_POLICY, encoding="utf-8")
    git(repo, "add", "k8s/postgres-policy.yaml")
    bad = try_repo(hooks, repo, tmp_path / "home")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "policylint" in bad.stdout and "Failed" in bad.stdout
    assert "k8s/postgres-policy.yaml:9:" in bad.stdout and "NP202" in bad.stdout
    assert "did you mean `app: api`?" in bad.stdout
    assert "k8s/policies-shop.yaml" not in bad.stdout  # findings in files not staged are not reported

    policy.write_text(TYPO_POLICY.replace("app: apii", "app: api"), encoding="utf-8")
    git(repo, "add", "k8s/postgres-policy.yaml")
    good = try_repo(hooks, repo, tmp_path / "home")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
