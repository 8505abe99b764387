"""The same input gives the same output, whatever the file order, document order or hash seed.

Layouts of one case (the shop example and some semantics cases), each written under tmp_path:

- `original`: the fixture files as they are, passed as one directory;
- `reordered`: the same file names, the documents of each file shuffled, the files passed one
  by one in a shuffled order (every object stays in its file; only lines change);
- `regrouped`: all documents shuffled across new files with other names, in a subdirectory.

What must hold:

- matrix (text, json, csv, md, dot): byte-identical in every layout;
- query (text, json): identical in every layout once locations (file, line) are removed;
- lint: the same multiset of (rule, file, message) under `reordered` (file names are the same),
  the same (rule, message) under `regrouped`; the findings always in (file, line, column, rule)
  order;
- every format of every command: byte-identical across processes with different PYTHONHASHSEED
  (no set-iteration or hash-seed dependence).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from policylint.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"
SEMANTICS = ROOT / "fixtures" / "semantics"
RULES = ROOT / "fixtures" / "rules"
CASES = {
    "shop": SHOP,
    "named-ports": SEMANTICS / "named-ports",
    "ipblock-except": SEMANTICS / "ipblock-except",
    "peer-and-vs-or": SEMANTICS / "peer-and-vs-or",
    # Rules that compare objects with each other are where order could leak into the output.
    **{stem: RULES / stem / "bad.yaml" for stem in ("np106_duplicate_policy", "np401_rule_shadowed",
                                                   "np403_policy_redundant", "np404_peer_shadowed")},  # fmt: skip
}
SEEDS = (1, 2, 3)
LINT_FORMATS = ("text", "json", "sarif", "github")
MATRIX_FORMATS = ("text", "json", "csv", "md", "dot")
QUERY_FORMATS = ("text", "json")
_SEPARATOR = re.compile(r"^---[ \t]*$", re.M)
_LOCATION = re.compile(r"(\S+\.ya?ml):\d+(?::\d+)?")
_FILE = re.compile(r"\S+\.ya?ml")


# --- layouts ------------------------------------------------------------------------------------


def manifest_files(case: Path) -> list[Path]:
    if case.is_file():
        return [case]
    return sorted(p for p in case.glob("*.yaml") if p.name != "expect.yaml")


def documents(path: Path) -> list[str]:
    """The documents of a file as text (comments, including suppression comments, stay with them)."""
    chunks = _SEPARATOR.split(path.read_text(encoding="utf-8"))
    return [c.strip("\n") + "\n" for c in chunks if c.strip()]


def write_files(directory: Path, files: dict[str, list[str]]) -> list[Path]:
    directory.mkdir(parents=True)
    written = []
    for name, docs in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n".join(docs), encoding="utf-8")
        written.append(path)
    return written


def original(case: Path, where: Path) -> list[str]:
    write_files(where, {p.name: documents(p) for p in manifest_files(case)})
    return [str(where)]


def reordered(case: Path, where: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    files = {}
    for p in manifest_files(case):
        docs = documents(p)
        rng.shuffle(docs)
        files[p.name] = docs
    paths = [str(p) for p in write_files(where, files)]
    rng.shuffle(paths)
    return paths


def regrouped(case: Path, where: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs = [d for p in manifest_files(case) for d in documents(p)]
    rng.shuffle(docs)
    names = ["z-last.yaml", "a-first.yml", "sub/m.yaml", "sub/deeper/0.yaml"]
    files: dict[str, list[str]] = {name: [] for name in names}
    for i, doc in enumerate(docs):
        files[names[(i + seed) % len(names)]].append(doc)
    write_files(where, {k: v for k, v in files.items() if v})
    return [str(where)]


# --- running the commands -----------------------------------------------------------------------


def queries(case: Path) -> list[list[str]]:
    """`--from any --to any`, and for each case one explained flow (its expect.yaml's first)."""
    out = [["--from", "any", "--to", "any"]]
    if case == SHOP:
        out.append(["--from", "shop/frontend", "--to", "shop/api"])
    elif (case / "expect.yaml").is_file():
        flow = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))["flows"][0]
        port = f"{flow['port']}/{flow.get('protocol', 'TCP')}" if "port" in flow else None
        out.append(["--from", str(flow["from"]), "--to", str(flow["to"]), *(["--port", port] if port else [])])
    return out


def outputs(paths: list[str], case: Path) -> dict[str, str]:
    """Every format of lint, matrix and query over `paths`, keyed by command line."""
    runner = CliRunner()
    out: dict[str, str] = {}
    commands = [["lint", *paths, "--format", f] for f in LINT_FORMATS]
    commands += [["matrix", *paths, "--format", f] for f in MATRIX_FORMATS]
    commands += [["query", *paths, *q, "--format", f] for q in queries(case) for f in QUERY_FORMATS]
    for args in commands:
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code in (0, 1), (args, result.stdout, result.stderr)
        key = " ".join(a for a in args if a not in paths)
        out[key] = result.stdout
    return out


def run_in(directory: Path, paths: list[str], case: Path) -> dict[str, str]:
    with contextlib.chdir(directory):
        return outputs(paths, case)


def without_locations(value: Any) -> Any:
    """A query answer with its file/line fields (and file:line:col texts) removed."""
    if isinstance(value, dict):
        return {k: without_locations(v) for k, v in value.items() if k not in ("file", "line")}
    if isinstance(value, list):
        return [without_locations(v) for v in value]
    if isinstance(value, str):
        return _LOCATION.sub("<loc>", value)
    return value


def lint_findings(out: dict[str, str], base: Path) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads(out["lint --format json"])["findings"]
    for f in findings:
        f["file"] = os.path.relpath(f["file"], base)
        # Messages that cite another object ("already defined at FILE:LINE:COL") keep the file; its
        # line legitimately moves with the document.
        f["message"] = _LOCATION.sub(lambda m: os.path.relpath(m.group(1), base), f["message"])
    return findings


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, str]]]:
    out = {}
    for name, case in CASES.items():
        where = tmp_path_factory.mktemp(f"orig-{name}")
        out[name] = (where / "m", run_in(where, original(case, where / "m"), case))
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_matrix_and_query_do_not_depend_on_file_or_document_order(
    name: str, seed: int, baseline: dict[str, tuple[Path, dict[str, str]]], tmp_path: Path
) -> None:
    case = CASES[name]
    _base, want = baseline[name]
    for layout, paths in (("reordered", reordered(case, tmp_path / "r", seed)),
                          ("regrouped", regrouped(case, tmp_path / "g", seed))):  # fmt: skip
        got = run_in(tmp_path, paths, case)
        for key in want:
            if key.startswith("matrix"):
                assert got[key] == want[key], f"{layout}: {key}"
            elif key.startswith("query") and key.endswith("json"):
                assert without_locations(json.loads(got[key])) == without_locations(json.loads(want[key])), key
            elif key.startswith("query"):
                assert _LOCATION.sub("<loc>", got[key]) == _LOCATION.sub("<loc>", want[key]), f"{layout}: {key}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_lint_finds_the_same_things_in_any_order_and_reports_them_sorted(
    name: str, seed: int, baseline: dict[str, tuple[Path, dict[str, str]]], tmp_path: Path
) -> None:
    case = CASES[name]
    base, want_out = baseline[name]
    want = lint_findings(want_out, base)
    got = lint_findings(run_in(tmp_path, reordered(case, tmp_path / "r", seed), case), tmp_path / "r")
    assert Counter((f["rule"], f["file"], f["message"]) for f in got) == Counter(
        (f["rule"], f["file"], f["message"]) for f in want
    )
    regroup = lint_findings(run_in(tmp_path, regrouped(case, tmp_path / "g", seed), case), tmp_path / "g")
    assert Counter((f["rule"], _FILE.sub("<file>", f["message"])) for f in regroup) == Counter(
        (f["rule"], _FILE.sub("<file>", f["message"])) for f in want
    )
    for findings in (want, got, regroup):
        keys = [(f["file"], f["line"], f["column"], f["rule"]) for f in findings]
        assert keys == sorted(keys)


_CHILD = """
import json, sys
from policylint.cli import cli
from click.testing import CliRunner
out = {}
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args)
    out[" ".join(args)] = [result.exit_code, result.stdout, result.stderr]
print(json.dumps(out))
"""


@pytest.mark.parametrize("name", ["shop", "named-ports"])
def test_every_format_is_byte_identical_under_different_hash_seeds(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    paths = reordered(case, tmp_path / "m", 7)  # several files given one by one
    commands = [["lint", *paths, "--format", f] for f in LINT_FORMATS]
    commands += [["matrix", *paths, "--format", f] for f in MATRIX_FORMATS]
    commands += [["query", *paths, *q, "--format", f] for q in queries(case) for f in QUERY_FORMATS]
    runs = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(commands)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        runs.append(json.loads(proc.stdout))
    for key in runs[0]:
        assert runs[0][key][0] in (0, 1), (key, runs[0][key])
        assert runs[1][key] == runs[0][key], key
        assert runs[2][key] == runs[0][key], key
