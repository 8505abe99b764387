"""Streamed reports (issue 18): lint json, SARIF and diff text/json are written piece by piece, give
the same bytes as encoding the whole document at once, and end quietly when the reader leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.reporters.stream import Items, iter_json

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"

leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6))
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=25,
)


def lazily(value: Any, lazy: bool) -> Any:
    """The same value with its lists made `Items` over one-shot iterators."""
    if isinstance(value, list):
        items = [lazily(v, lazy) for v in value]
        return Items(iter(items)) if lazy else items
    if isinstance(value, dict):
        return {k: lazily(v, lazy) for k, v in value.items()}
    return value


@settings(max_examples=400)
@given(trees, st.booleans())
def test_streamed_json_is_json_dumps_with_indent_2(value: Any, lazy: bool) -> None:
    assert "".join(iter_json(lazily(value, lazy))) == json.dumps(value, indent=2)


def run_piped(args: list[str], reader: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`policylint ARGS | READER` in a shell, reporting policylint's own exit code and stderr."""
    cmd = " ".join([sys.executable, "-m", "policylint", *args]) + f" 2>err.txt | {reader}; echo rc=${{PIPESTATUS[0]}}"
    env = {**os.environ, "POLICYLINT_NO_CACHE": "1"}
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def test_lint_json_and_sarif_are_the_documents_they_were(tmp_path: Path) -> None:
    for fmt in ("json", "sarif"):
        out = tmp_path / f"report.{fmt}"
        subprocess.run([sys.executable, "-m", "policylint", "lint", str(SHOP), "-f", fmt, "-o", str(out),
                        "--fail-on", "never"], check=True, cwd=tmp_path)  # fmt: skip
        text = out.read_text(encoding="utf-8")
        # The whole document encoded at once (as before streaming) gives the same bytes.
        assert text == json.dumps(json.loads(text), indent=2) + "\n"
        doc = json.loads(text)
        results = doc["findings"] if fmt == "json" else doc["runs"][0]["results"]
        assert results, "the shop example has findings to stream"


def dense_pull_request(tmp: Path) -> tuple[Path, Path]:
    base, head = tmp / "base", tmp / "head"
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--workloads", "200", "--profile", "dense"]
    subprocess.run([*gen, "--out", str(base)], check=True, capture_output=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "benchrun" / "pr.py"), str(base), str(head)],
                   check=True, capture_output=True)  # fmt: skip
    return base, head


def test_reports_end_quietly_when_the_reader_leaves(tmp_path: Path) -> None:
    base, head = dense_pull_request(tmp_path)
    for args, code in (
        (["diff", str(base), str(head), "--no-smt"], 0),
        (["diff", str(base), str(head), "--no-smt", "-f", "json"], 0),
        (["lint", str(SHOP), "-f", "sarif", "--fail-on", "never"], 0),
        (["lint", str(SHOP), "-f", "json", "--fail-on", "never"], 0),
    ):
        for reader in ("head -c 20", "true"):
            done = run_piped(args, reader, tmp_path)
            assert done.stdout.strip().endswith(f"rc={code}"), (args, reader, done.stdout)
            # Quiet: no broken-pipe error, no traceback (notes on what a diff could not see may stand there).
            err = (tmp_path / "err.txt").read_text(encoding="utf-8")
            assert "Error" not in err and "error:" not in err and "Traceback" not in err, (args, reader, err)


def test_diff_json_through_a_pipe_is_the_whole_document(tmp_path: Path) -> None:
    base, head = dense_pull_request(tmp_path)
    done = subprocess.run([sys.executable, "-m", "policylint", "diff", str(base), str(head), "--no-smt", "-f", "json"],
                          capture_output=True, text=True, check=True, cwd=tmp_path)  # fmt: skip
    doc = json.loads(done.stdout)
    assert doc["summary"]["added"] == len(doc["added"]) > 0
    assert done.stdout == json.dumps(doc, indent=2) + "\n"
