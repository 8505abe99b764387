"""What a cached `query` costs at start: it imports neither the rule catalogue nor z3 nor jsonschema
(together about half of its time at 5,000 workloads, issue 18), and the cached model answers with
the same files and lines as a fresh load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"

# Runs the real entry point in a fresh interpreter, then says which heavy modules it imported.
PROBE = """
import json, sys
from policylint.cli import cli
try:
    cli(sys.argv[1:], prog_name="policylint")
except SystemExit:
    pass
heavy = ("z3", "jsonschema", "fastjsonschema", "hypothesis", "policylint.rules", "policylint.cli.lint",
         "policylint.cli.diff", "policylint.runner", "policylint.changes", "policylint.load.git",
         "policylint.queries.exposure", "policylint.reporters.html", "yaml", "policylint.load.documents",
         "policylint.model.build", "policylint.config.schema")  # a cached model needs no parser nor builder
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


def run(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYLINT_CACHE_DIR": str(cache)}
    env.pop("POLICYLINT_NO_CACHE", None)
    # Outside the source tree, so the installed package is the one imported.
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=cache.parent, check=False)  # fmt: skip


@pytest.mark.parametrize("endpoints", [["shop/frontend", "shop/api"], ["10.0.0.1", "shop/api"]])
def test_a_cached_query_imports_no_rule_no_solver_and_no_schema_validator(tmp_path: Path, endpoints: list[str]) -> None:
    args = ["query", str(SHOP), "--from", endpoints[0], "--to", endpoints[1], "--port", "8080"]
    fresh = run(args, tmp_path / "cache")  # fills the cache (parsing checks fields: jsonschema is fine here)
    assert fresh.returncode == 0, fresh.stderr
    assert "z3" not in json.loads(fresh.stderr.splitlines()[-1])
    done = run(args, tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == []


def test_lint_still_reads_the_whole_catalogue(tmp_path: Path) -> None:
    done = run(["lint", str(SHOP), "--fail-on", "never"], tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert "policylint.rules" in json.loads(done.stderr.splitlines()[-1])


def test_a_cached_answer_names_the_same_files_and_lines_as_a_fresh_one(tmp_path: Path) -> None:
    args = ["query", str(SHOP), "--from", "shop/frontend", "--to", "shop/api", "--port", "8080"]
    fresh = run([*args, "--no-cache"], tmp_path / "cache")
    run(args, tmp_path / "cache")
    cached = run(args, tmp_path / "cache")
    assert list((tmp_path / "cache").glob("model-*.pickle"))
    assert ".yaml:" in fresh.stdout and cached.stdout == fresh.stdout


def test_a_cached_matrix_imports_only_what_it_prints_with(tmp_path: Path) -> None:
    # The NCA comparison of issue 18 is a matrix: its second run is the model cache plus the rows.
    args = ["matrix", str(SHOP), "-f", "json", "-g", "none"]
    fresh = run(args, tmp_path / "cache")
    assert fresh.returncode == 0, fresh.stderr
    done = run(args, tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == []
    assert done.stdout == fresh.stdout


def test_a_fresh_matrix_checks_fields_without_importing_a_schema_validator(tmp_path: Path) -> None:
    # matrix skips validating fields the model does not read; the unknown-field check it still does
    # reads the schema files, not jsonschema or fastjsonschema (80 ms of a 1 s run at 1,000 workloads).
    done = run(["matrix", str(SHOP), "-f", "json", "-g", "none", "--no-cache"], tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stderr.splitlines()[-1]))
    assert imported & {"jsonschema", "fastjsonschema", "z3", "policylint.rules"} == set()
    assert "yaml" in imported  # a fresh load parses: the probe sees what this run imported
