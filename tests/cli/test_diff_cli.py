"""`policylint diff` as a user runs it: two paths, or git revisions of the manifest paths."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"
TYPO = "podSelector: {matchLabels: {app: fronend}}"
FIXED = "podSelector: {matchLabels: {app: frontend}}"
PUBLIC_API = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-public, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 9000}]}]
"""
OPEN_API = PUBLIC_API.replace("from: [{ipBlock: {cidr: 0.0.0.0/0}}], ", "")  # no `from`: NP301


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def copy_shop(dest: Path) -> Path:
    shutil.copytree(SHOP, dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def git(cwd: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_fixing_a_selector_typo_shows_the_connection_it_opens(tmp_path: Path) -> None:
    copy_shop(tmp_path / "base")
    edit(copy_shop(tmp_path / "head") / "policies-shop.yaml", TYPO, FIXED)
    code, out, _ = run(["base", "head"], tmp_path)
    assert code == 0
    assert out == (
        "1 connection added, 0 removed\n\nAdded connections:\n"
        "  shop/frontend[Deployment] -> shop/api[Deployment] : TCP 9000\n"
    )
    assert run(["base", "head", "--fail-on", "added"], tmp_path)[0] == 1
    assert run(["base", "head", "--fail-on", "new-exposure"], tmp_path)[0] == 0


def test_with_lint_a_fix_counts_the_findings_it_removes(tmp_path: Path) -> None:
    copy_shop(tmp_path / "base")
    edit(copy_shop(tmp_path / "head") / "policies-shop.yaml", TYPO, FIXED)
    code, out, _ = run(["base", "head", "--lint"], tmp_path)
    assert code == 0
    assert out.startswith("1 connection added, 0 removed; 0 new findings, 2 fixed\n")
    assert "\nFixed findings (lines as on BASE):\n  head/policies-shop.yaml:41:20: warning NP202" in out
    data = json.loads(run(["base", "head", "--lint", "--format", "json"], tmp_path)[1])
    assert [f["rule"] for f in data["fixed_findings"]] == ["NP202", "NP502"]
    md = run(["base", "head", "--lint", "--format", "md"], tmp_path)[1]
    assert "<details><summary>Fixed findings (2), lines as on the base</summary>" in md


def test_opening_a_workload_to_the_internet_fails_on_new_exposure(tmp_path: Path) -> None:
    copy_shop(tmp_path / "base")
    (copy_shop(tmp_path / "head") / "public.yaml").write_text(PUBLIC_API, encoding="utf-8")
    code, out, _ = run(["base", "head", "--fail-on", "new-exposure", "--format", "json"], tmp_path)
    assert code == 1
    data = json.loads(out)
    assert data["summary"]["new_exposures"] == 1
    assert data["new_exposures"][0]["source"] == {"type": "external", "cidrs": ["0.0.0.0/0"]}


TWO_NAMESPACES = "".join(
    f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: c, image: x}}]}}
"""
    for ns, name in (("shop", "web"), ("shop", "api"), ("data", "db"))
) + """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: data}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""
DB_FROM_SHOP = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-shop, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
    ports: [{port: 5432}]
"""


def test_a_namespace_wide_change_is_proven_for_any_pod_unless_smt_is_off(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(TWO_NAMESPACES, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(TWO_NAMESPACES + DB_FROM_SHOP, encoding="utf-8")
    code, out, _ = run(["base.yaml", "head.yaml"], tmp_path)
    assert code == 0
    assert "\n  any pod in namespace shop -> data/db[Deployment] : TCP 5432\n" in out
    concrete = "\n  every workload in namespace shop (2) -> data/db[Deployment] : TCP 5432\n"
    assert concrete in run(["base.yaml", "head.yaml", "--no-smt"], tmp_path)[1]
    assert concrete in run(["base.yaml", "head.yaml", "--smt-budget", "0"], tmp_path)[1]  # undecided: not claimed
    data = json.loads(run(["base.yaml", "head.yaml", "--format", "json"], tmp_path)[1])
    assert data["summary"]["added"] == 2 and len(data["added"]) == 2  # the exact pairs stay listed
    [said] = data["statements"]
    assert said["src"] == {"type": "group", "namespace": "shop", "workloads": 2, "any_pod": True}
    assert (said["kind"], said["gained"], said["pairs"]) == ("added", {"TCP": [[5432, 5432]]}, 2)
    md = run(["base.yaml", "head.yaml", "--format", "md"], tmp_path)[1]
    assert "| `any pod in namespace shop` | `data/db[Deployment]` | TCP 5432 |" in md


def test_md_with_lint_reports_only_the_findings_the_change_adds(tmp_path: Path) -> None:
    copy_shop(tmp_path / "base")
    head = copy_shop(tmp_path / "head")
    edit(head / "policies-shop.yaml", "# Every pod", "# A comment line\n# shifts every finding down.\n# Every pod")
    (head / "public.yaml").write_text(OPEN_API, encoding="utf-8")
    code, out, _ = run(["base", "head", "--format", "md", "--lint"], tmp_path)
    assert code == 0
    assert "**3 connections added, 0 removed; 1 new finding, 1 fixed**" in out  # NP502: api is reachable now
    assert "- `head/public.yaml:8` **NP301** allows-all-sources" in out
    assert "NP202" not in out  # the typo is on both sides, only on other lines
    assert "| `0.0.0.0/0,::/0` | `shop/api[Deployment]` | TCP 9000 |" in out


def test_no_change_prints_nothing_in_md(tmp_path: Path) -> None:
    copy_shop(tmp_path / "base")
    copy_shop(tmp_path / "head")
    assert run(["base", "head", "--format", "md", "--lint"], tmp_path) == (0, "", "")
    assert run(["base", "head"], tmp_path)[1] == "No connectivity change.\n"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, _, err = run(["only-one"], tmp_path)
    assert code == 2 and "give BASE and HEAD paths" in err
    code, _, err = run(["missing", "other"], tmp_path)
    assert code == 2 and "missing: no such file or directory" in err


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    copy_shop(repo / "k8s")
    (repo / ".policylint.yaml").write_text("paths: [k8s]\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def test_git_base_against_the_working_tree_leaves_the_tree_untouched(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    edit(repo / "k8s" / "policies-shop.yaml", TYPO, FIXED)
    status = git(repo, "status", "--porcelain")
    code, out, _ = run(["--git-base", "HEAD", "k8s"], repo)
    assert code == 0
    assert "shop/frontend[Deployment] -> shop/api[Deployment] : TCP 9000" in out
    assert git(repo, "status", "--porcelain") == status == " M k8s/policies-shop.yaml\n"


def test_git_base_and_head_revisions_with_paths_from_the_config(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "k8s" / "public.yaml").write_text(OPEN_API, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "open the api")
    (repo / "k8s" / "public.yaml").unlink()  # the working tree no longer matters
    code, out, _ = run(["--git-base", "HEAD~1", "--git-head", "HEAD", "--format", "md", "--lint"], repo)
    assert code == 0
    assert r"shop/api\[Deployment\] is newly reachable from outside the cluster (0.0.0.0/0,::/0) on TCP 9000" in out
    assert "- `k8s/public.yaml:8` **NP301**" in out
    sub = repo / "k8s"
    code, out, _ = run(["--git-base", "HEAD~1", "--git-head", "HEAD", ".", "--fail-on", "new-exposure"], sub)
    assert code == 1 and "0.0.0.0/0,::/0 -> shop/api[Deployment] : TCP 9000" in out


def test_git_base_without_the_manifests_shows_every_workload_as_new(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    shutil.copytree(SHOP, repo / "more")
    code, out, _ = run(["--git-base", "HEAD", "more"], repo)
    assert code == 0
    assert out.startswith("0 connections added, 0 removed; 5 workloads added\n")
    assert (
        "  shop/api[Deployment]\n    -> data/postgres[StatefulSet] : TCP 5432\n"
        "    -> kube-system/coredns[Deployment] : TCP 53,UDP 53\n"
        "    <- monitoring/prometheus[Deployment] : TCP 9090\n"
    ) in out


def test_unknown_revision_is_an_input_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    code, out, err = run(["--git-base", "no-such-branch", "k8s"], repo)
    assert code == 2 and out == ""
    assert err.startswith("policylint: error: git revision 'no-such-branch' is not a commit")
