"""Every file of fixtures/bad_input gives its expected problem, at its line, quickly, without raising."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from policylint.load import load_paths

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "bad_input"
EXPECTED: dict[str, dict[str, object]] = yaml.safe_load((BAD / "expected.yaml").read_text())
GOOD = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: good\n"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_file_gives_its_problem_and_the_rest_is_still_read(name: str, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    start = time.monotonic()
    result = load_paths([str(BAD / name), str(tmp_path)])
    assert time.monotonic() - start < 10
    want = EXPECTED[name]
    hits = [p for p in result.problems if p.rule == want["id"] and p.span.file == str(BAD / name)]
    assert hits, result.problems
    assert hits[0].span.line == want["line"]
    assert str(want["message"]) in hits[0].message
    assert "good" in result.cluster.namespace_index


def test_every_bad_input_file_is_listed_in_the_table() -> None:
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)


def test_ten_megabyte_single_line_file_loads_in_bounded_time(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"apiVersion": "v1", "kind": "ConfigMap", "data": {"x": "' + "a" * 10_000_000 + '"}}')
    start = time.monotonic()
    result = load_paths([str(big)])
    assert time.monotonic() - start < 20
    assert result.skipped_kinds == {"ConfigMap": 1}
    assert not result.problems


# 1,500 levels sits between policylint's limit (1,000) and the old pre-scan threshold: PyYAML
# 6.0.4's libyaml stops there with its own error, which must still read as policylint's problem.
@pytest.mark.parametrize("n", [1_500, 10_000])
@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_one_problem_in_our_words_whatever_the_pyyaml(tmp_path: Path, style: str, n: int) -> None:
    body = "[" * n + "]" * n if style == "flow" else "".join("  " * i + "k:\n" for i in range(n))
    path = tmp_path / "deep.yaml"
    path.write_text("x: " + body + "\n---\n" + GOOD if style == "flow" else body + "---\n" + GOOD)
    start = time.monotonic()
    result = load_paths([str(path)])
    assert time.monotonic() - start < 30
    assert [(p.rule, p.span.file) for p in result.problems] == [("NP001", str(path))]
    assert "nesting deeper than 1000 levels" in result.problems[0].message
    assert "good" in result.cluster.namespace_index  # the next document is still read


def test_directory_symlink_loop_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ns.yaml").write_text(GOOD)
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    result = load_paths([str(tmp_path)])
    assert [(p.rule, "symlink loop" in p.message) for p in result.problems] == [("NP004", True)]
    assert result.fatal and "good" in result.cluster.namespace_index


def test_unreadable_directory_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "ns.yaml").write_text(GOOD)
    locked.chmod(0)
    try:
        result = load_paths([str(locked)])
    finally:
        locked.chmod(0o755)
    assert result.fatal and result.problems[0].rule == "NP004"


def test_missing_path_and_empty_stdin_are_fatal() -> None:
    result = load_paths(["/nonexistent/x.yaml", "-"], stdin="")
    assert result.fatal
    assert {(p.span.file, p.rule) for p in result.problems} == {("/nonexistent/x.yaml", "NP004"), ("<stdin>", "NP004")}
