"""Hostile pull-request input (issue 17): each case from its own minimal input."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from policylint.config import ConfigError, load_config
from policylint.load import load_paths
from policylint.reporters.escape import md_code, md_text, terminal, workflow_data, workflow_property

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: leaked, namespace: x, labels: {app: a}}\n"


def test_symlink_leaving_the_root_is_reported_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "other-checkout"
    outside.mkdir()
    (outside / "pod.yaml").write_text(POD, encoding="utf-8")
    root = tmp_path / "repo" / "k8s"
    root.mkdir(parents=True)
    (root / "ok.yaml").write_text(POD.replace("leaked", "mine"), encoding="utf-8")
    (root / "leak").symlink_to(outside)
    (root / "slash").symlink_to("/")
    result = load_paths([str(root)])
    assert [p.name for p in result.cluster.workloads] == ["mine"]
    skipped = sorted(p.span.file for p in result.problems if "outside the paths given" in p.message)
    assert skipped == [str(root / "leak"), str(root / "slash")]
    assert all(p.rule == "NP004" for p in result.problems)


def test_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pod.yaml").write_text(POD, encoding="utf-8")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = load_paths([str(tmp_path)])
    assert [p.name for p in result.cluster.workloads] == ["leaked"]  # once: the same file through two paths
    assert result.problems == []


def test_git_mode_sees_the_same_files_as_the_working_tree(tmp_path: Path) -> None:
    from policylint.load.git import snapshot

    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    (repo / "k8s" / "ok.yaml").write_text(POD, encoding="utf-8")
    (repo / "k8s" / "leak").symlink_to("/")
    name = os.fsdecode(b"k8s/caf\xe9.yaml")  # not UTF-8: once an internal error
    Path(repo / name).write_text(POD.replace("leaked", "latin"), encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    here = load_paths([str(repo / "k8s")])
    snap = snapshot("HEAD", [str(repo / "k8s")], tmp_path, cwd=repo)
    there = load_paths(snap.paths)
    names = sorted(p.name for p in here.cluster.workloads)
    assert sorted(p.name for p in there.cluster.workloads) == names == ["latin", "leaked"]
    assert [p.message for p in there.problems] == [p.message for p in here.problems]
    with pytest.raises(Exception, match="'does-not-exist'"):
        snapshot("does-not-exist", [str(repo / "k8s")], tmp_path, cwd=repo)


def test_config_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    config = tmp_path / ".policylint.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="too large"):
        load_config(config)
    assert time.perf_counter() - start < 5  # was 69 s and 2.4 GB


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "../outside.yaml"])
def test_extends_stays_inside_the_repository_and_reads_only_regular_files(tmp_path: Path, target: str) -> None:
    (tmp_path / "outside.yaml").write_text("namespace: x\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    config = repo / ".policylint.yaml"
    config.write_text(f"extends: {target}\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ConfigError):
        load_config(config)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("entry", ["/etc", "../other", "k8s-link"])
def test_config_paths_outside_the_repository_are_an_error(tmp_path: Path, entry: str) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "k8s-link").symlink_to("/")
    config = repo / ".policylint.yaml"
    config.write_text(f"paths: [{entry}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="paths entry"):
        load_config(config)


def test_markdown_cannot_hide_or_mention() -> None:
    hidden = md_text("value <!-- hides the rest @admin ![x](http://e/p.png) [l](http://e)")
    assert "<" not in hidden and "@admin" not in hidden and "![" not in hidden and "](" not in hidden.replace("\\]", "")
    assert md_code("a`b") == "`` a`b ``"
    assert md_code("x|y", in_table=True) == "`x\\|y`"
    assert "\n" not in md_code("a\nb")


def test_workflow_commands_and_terminal_cannot_be_forged() -> None:
    assert workflow_data("x\n::error::forged%") == "x%0A::error::forged%25"
    assert workflow_property("a,b:c\r") == "a%2Cb%3Ac%0D"
    assert terminal("f\n\x1b[2Jx.yaml") == "f\\x0a\\x1b[2Jx.yaml"
    assert terminal(os.fsdecode(b"\xff.yaml")) == "\\udcff.yaml"
