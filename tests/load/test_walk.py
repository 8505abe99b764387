"""Directory walks: what is read, and what is skipped and said.

kubectl apply -R reads every file of a folder, hidden ones included (k8s.io/cli-runtime
pkg/resource/visitor.go, ExpandPathsToFileVisitors: filepath.Walk, filtered by extension only).
policylint skips names starting with a dot (CI workflows, editor files, caches), so a hidden
file or folder that holds manifests is an NP004: the answer never leaves it out silently."""

from __future__ import annotations

from pathlib import Path

from policylint.load import load_paths

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n"


def test_hidden_manifests_are_said_and_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(NAMESPACE % "shown", "utf-8")
    (tmp_path / ".old.yaml").write_text(NAMESPACE % "hidden-file", "utf-8")
    (tmp_path / ".archive" / "deep").mkdir(parents=True)
    (tmp_path / ".archive" / "deep" / "ns.json").write_text('{"apiVersion": "v1", "kind": "Namespace"}', "utf-8")
    result = load_paths([str(tmp_path)])
    assert {ns.name for ns in result.cluster.namespaces} == {"shown"}
    said = {Path(p.span.file).name: (p.rule, p.message) for p in result.problems}
    assert said[".old.yaml"][0] == "NP004" and "hidden file holding manifests" in said[".old.yaml"][1]
    assert said[".archive"][0] == "NP004" and "1 manifest file(s)" in said[".archive"][1]
    assert sorted(Path(p).name for p in result.skipped_inputs) == [".archive", ".old.yaml"]
    assert not result.fatal


def test_hidden_files_without_manifests_and_version_control_are_not_mentioned(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(NAMESPACE % "shown", "utf-8")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yaml").write_text("on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n", "utf-8")
    (tmp_path / ".policylint.yaml").write_text("fail_on: warning\n", "utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "stash.yaml").write_text(NAMESPACE % "in-git", "utf-8")
    result = load_paths([str(tmp_path)])
    assert not result.problems and not result.skipped_inputs


def test_a_hidden_path_given_by_name_is_read(tmp_path: Path) -> None:
    (tmp_path / ".old.yaml").write_text(NAMESPACE % "hidden-file", "utf-8")
    result = load_paths([str(tmp_path / ".old.yaml")])
    assert {ns.name for ns in result.cluster.namespaces} == {"hidden-file"} and not result.problems


def test_a_nested_repository_is_said_and_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(NAMESPACE % "shown", "utf-8")
    (tmp_path / "vendor" / ".git").mkdir(parents=True)
    (tmp_path / "vendor" / "ns.yaml").write_text(NAMESPACE % "vendored", "utf-8")
    result = load_paths([str(tmp_path)])
    assert {ns.name for ns in result.cluster.namespaces} == {"shown"}
    [problem] = result.problems
    assert problem.rule == "NP004" and Path(problem.span.file).name == "vendor" and "submodule" in problem.message
