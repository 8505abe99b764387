"""The model cache: a second question on an unchanged tree reuses the loaded model; any change,
another tree, an unsafe directory or the opt-out loads afresh."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import api
from policylint.cli import cli
from policylint.model import Cluster

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYLINT_NO_CACHE", raising=False)
    shutil.copytree(SHOP, tmp_path / "shop")
    monkeypatch.chdir(tmp_path)
    return Path("shop")


def entries(tmp: Path) -> list[Path]:
    return sorted((tmp / "cache").glob("model-*.pickle"))


def test_second_load_comes_from_the_cache_and_equals_a_fresh_load(tree: Path, tmp_path: Path) -> None:
    first = api.load([str(tree)], validate=False, cache=True).loaded
    [entry] = entries(tmp_path)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    again = api.load([str(tree)], validate=False, cache=True).loaded
    assert again is not first and again.cluster == first.cluster and again.problems == first.problems
    assert again.cluster == api.load([str(tree)], validate=False).loaded.cluster


def test_any_edit_to_a_file_is_seen(tree: Path) -> None:
    api.load([str(tree)], validate=False, cache=True)
    policy = next(p for p in sorted(tree.rglob("*.yaml")) if "NetworkPolicy" in p.read_text(encoding="utf-8"))
    text = policy.read_text(encoding="utf-8")
    stat_before = policy.stat()
    # Same length and the same mtime: a stat-based key would miss this edit, a content key does not.
    edited = text.replace("NetworkPolicy", "NetworkPolicx", 1)
    policy.write_text(edited, encoding="utf-8")
    os.utime(policy, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns))
    fresh = api.load([str(tree)], validate=False).loaded
    assert api.load([str(tree)], validate=False, cache=True).loaded.cluster == fresh.cluster


def test_a_new_file_is_seen(tree: Path) -> None:
    before = api.load([str(tree)], validate=False, cache=True).loaded
    (tree / "extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: brand-new}\n", "utf-8")
    after = api.load([str(tree)], validate=False, cache=True).loaded
    assert "brand-new" in {ns.name for ns in after.cluster.namespaces} - {ns.name for ns in before.cluster.namespaces}


def test_trees_never_share_an_entry(tree: Path, tmp_path: Path) -> None:
    shutil.copytree(tree, tmp_path / "other")
    api.load([str(tree)], validate=False, cache=True)
    api.load(["other"], validate=False, cache=True)
    assert len(entries(tmp_path)) == 2


def test_a_cache_dir_others_may_write_is_not_read(tree: Path, tmp_path: Path) -> None:
    api.load([str(tree)], validate=False, cache=True)
    [entry] = entries(tmp_path)
    key, real = pickle.loads(entry.read_bytes())
    planted = replace(real, cluster=Cluster())  # what someone else could have written there
    entry.write_bytes(pickle.dumps((key, planted)))
    assert not api.load([str(tree)], validate=False, cache=True).loaded.cluster.workloads  # private: trusted
    os.chmod(tmp_path / "cache", 0o777)
    assert api.load([str(tree)], validate=False, cache=True).loaded.cluster.workloads  # shared: not read


def test_opt_out_writes_nothing(tree: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["query", str(tree), "--from", "any", "--to", "any", "--no-smt", "--no-cache"])
    assert r.exit_code == 0 and not entries(tmp_path)
    r = CliRunner().invoke(cli, ["query", str(tree), "--from", "any", "--to", "any", "--no-smt"])
    assert r.exit_code == 0 and len(entries(tmp_path)) == 1


def test_serve_answers_json_lines_in_order_and_reports_bad_questions(tree: Path) -> None:
    questions = [
        {"id": 1, "from": "any", "to": "any", "port": "8080/TCP"},
        {"id": "b", "from": "nowhere/x", "to": "any"},
        {"id": 3, "from": "any"},
    ]
    stdin = "\n".join(json.dumps(q) for q in questions) + "\n\nnot json\n"
    r = CliRunner().invoke(cli, ["serve", str(tree), "--no-smt"], input=stdin)
    assert r.exit_code == 0, r.output
    replies = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in replies] == [1, "b", 3, None]
    assert isinstance(replies[0]["answer"]["allowed"], bool)
    assert "error" in replies[1] and "error" in replies[2] and "error" in replies[3]


def test_batch_answers_each_line_like_a_single_query(tree: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text("# a comment\nany any 8080/TCP\n\nany any\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["query", str(tree), "--batch", str(batch), "--no-smt", "-f", "json"])
    assert r.exit_code == 0, r.output
    answers = [json.loads(line) for line in r.stdout.splitlines()]
    single = CliRunner().invoke(cli, ["query", str(tree), "--from", "any", "--to", "any", "-p", "8080/TCP",
                                      "--no-smt", "-f", "json"])  # fmt: skip
    assert answers[0] == json.loads(single.stdout) and len(answers) == 2


def test_batch_line_that_cannot_be_asked_is_located_and_exits_2(tree: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text("any any\nonly-one-word\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["query", str(tree), "--batch", str(batch), "--no-smt"])
    assert r.exit_code == 2 and "batch line 2" in r.stderr and "Traceback" not in r.output


# Every command that reads files goes through the cache (issue 18: "a loaded model that stays
# loaded"), and answers from it exactly as from a fresh load, input problems included.
COMMANDS = [
    ["matrix", "{tree}"],
    ["matrix", "{tree}", "-f", "json", "-g", "none"],
    ["lint", "{tree}", "--fail-on", "never", "-f", "json"],
    ["exposure", "{tree}"],
    ["diff", "{tree}", "{tree}"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:1] + a[2:]))
def test_every_loading_command_answers_from_the_cache_as_from_a_fresh_load(
    tree: Path, tmp_path: Path, args: list[str]
) -> None:
    # A broken document too: its NP001 must come back from the cache with its file and line.
    (tree / "broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: [1\n", "utf-8")
    argv = [a.format(tree=tree) for a in args]
    fresh = CliRunner().invoke(cli, [*argv, "--no-cache"])
    assert not entries(tmp_path)
    first = CliRunner().invoke(cli, argv)
    assert entries(tmp_path), "the first run fills the cache"
    written = {p: (p.stat().st_ino, p.read_bytes()) for p in entries(tmp_path)}
    again = CliRunner().invoke(cli, argv)
    # A hit only marks its entry used (mtime); a rewrite would be a new file (written, then renamed).
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in entries(tmp_path)} == written, "the second run reads"
    for run in (first, again):
        assert (run.exit_code, run.stdout, run.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    assert re.search(r"broken.yaml\W+(line\W+)?5\b", fresh.stdout + fresh.stderr), fresh.stdout + fresh.stderr


def test_a_cached_lint_sees_an_edit(tree: Path) -> None:
    CliRunner().invoke(cli, ["lint", str(tree), "--fail-on", "never"])
    (tree / "new.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ghost, namespace: shop}\n"
        "spec:\n  podSelector: {matchLabels: {app: nobody-has-this}}\n  policyTypes: [Ingress]\n", "utf-8")  # fmt: skip
    r = CliRunner().invoke(cli, ["lint", str(tree), "--fail-on", "never", "-f", "json"])
    found = json.loads(r.stdout)["findings"]
    assert any(f["rule"] == "NP201" and f["file"].endswith("new.yaml") and f["line"] == 5 for f in found), found


def test_git_revisions_are_never_cached(tree: Path, tmp_path: Path) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=a@b", "-c", "user.name=a", "add", ".")
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "-m", "base")
    os.chdir(tree)
    r = CliRunner().invoke(cli, ["diff", "--git-base", "HEAD", "."])
    assert r.exit_code == 0, r.output
    assert not entries(tmp_path), "a snapshot lives in a new temporary folder: an entry would never be read"


def test_the_cache_keeps_the_most_recently_used_trees_only(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policylint import cache

    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    names = []
    for n in range(5):
        other = tmp_path / f"tree{n}"
        shutil.copytree(tree, other)
        names.append(str(other))
    api.load([names[0]], validate=False, cache=True)
    first = entries(tmp_path)
    for name in names[1:3]:
        api.load([name], validate=False, cache=True)
    os.utime(first[0], ns=(0, 0))  # long unused ...
    api.load([names[0]], validate=False, cache=True)  # ... until this hit marks it used again
    api.load([names[3]], validate=False, cache=True)
    api.load([names[4]], validate=False, cache=True)
    kept = entries(tmp_path)
    assert len(kept) == 3 and first[0] in kept


def test_a_kustomize_tree_is_never_cached_nor_rendered_to_fingerprint_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `kustomize build` can read remote bases: its output is no function of the files here, so a
    # key made of them could serve a stale model. The fake tool counts how often it is run.
    tree = tmp_path / "kust"
    tree.mkdir()
    (tree / "kustomization.yaml").write_text("namespace: shop\nresources: [https://example.com/base]\n", "utf-8")
    calls = tmp_path / "calls"
    tool = tmp_path / "bin" / "kustomize"
    tool.parent.mkdir()
    tool.write_text(f"#!/bin/sh\necho run >> {calls}\nprintf 'apiVersion: v1\\nkind: Namespace\\n"
                    "metadata: {name: shop}\\n'\n", "utf-8")  # fmt: skip
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    for _ in range(2):
        loaded = api.load([str(tree)], validate=False, cache=True).loaded
        assert [ns.name for ns in loaded.cluster.namespaces] == ["shop"]
    assert not entries(tmp_path)
    assert calls.read_text("utf-8").split() == ["run", "run"], "rendered once per load, never to make a key"


def test_loading_from_the_cache_in_a_long_lived_process_freezes_nothing(tree: Path) -> None:
    # gc.freeze() keeps every cycle not yet collected for good: right for the one-command CLI
    # process, a leak for tests, `serve`-like library callers and the fuzz suite (it filled 23 GB).
    import gc

    api.load([str(tree)], validate=False, cache=True)
    before = gc.get_freeze_count()
    for _ in range(3):
        api.load([str(tree)], validate=False, cache=True)
    assert gc.get_freeze_count() == before


def test_changed_policylint_code_never_reads_a_model_the_old_code_built(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policylint import cache

    code = tmp_path / "code"
    code.mkdir()
    (code / "build.py").write_text("x = 1\n", "utf-8")
    stamp = cache.code_stamp(str(code))
    (code / "build.py").write_text("x = 22\n", "utf-8")  # an upgrade or checkout: same version string
    cache.code_stamp.cache_clear()
    assert cache.code_stamp(str(code)) != stamp
    # ... and the stamp is part of the key: another stamp, another key, a fresh load.
    before = cache.fingerprint([str(tree)], "o")
    monkeypatch.setattr(cache, "code_stamp", lambda root: "another build")
    assert before is not None and cache.fingerprint([str(tree)], "o") != before
