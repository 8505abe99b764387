"""The README's console examples are run as written and must print what the README shows.

A block is run when each of its commands is `policylint ...` or a `cp`/`sed` preparing input;
`/tmp/` in a command is replaced by a test directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
RUNNABLE = ("policylint ", "cp ")


def examples() -> list[tuple[list[str], str]]:
    out = []
    for block in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        lines = block.splitlines(keepends=True)
        commands = [line[2:].strip() for line in lines if line.startswith("$ ")]
        if commands and all(c.startswith(RUNNABLE) for c in commands):
            last = max(i for i, line in enumerate(lines) if line.startswith("$ "))
            out.append((commands, "".join(lines[last + 1 :])))
    return out


@pytest.mark.parametrize(("commands", "shown"), examples(), ids=lambda v: v[-1] if isinstance(v, list) else "")
def test_readme_example_prints_what_the_readme_shows(commands: list[str], shown: str, tmp_path: Path) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", COLUMNS="200")
    output = ""
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command.replace("/tmp/", f"{tmp_path}/")], cwd=ROOT, env=env, capture_output=True, text=True
        )
        output = done.stdout
    assert output == shown


def test_the_readme_has_runnable_examples_of_each_command() -> None:
    commands = " ".join(c for cs, _ in examples() for c in cs)
    for sub in ("lint", "query", "matrix", "diff", "rules"):
        assert f"policylint {sub}" in commands


def yaml_blocks() -> list[object]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_the_readme_workflow_uses_only_inputs_the_action_declares_and_the_permissions_it_needs() -> None:
    [workflow] = [b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b]
    declared = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    [step] = [s for s in workflow["jobs"]["policylint"]["steps"] if s.get("id") == "policylint"]
    assert set(step["with"]) <= set(declared)
    assert workflow["permissions"]["security-events"] == workflow["permissions"]["pull-requests"] == "write"


def test_the_readme_pre_commit_config_names_the_hook_this_repository_defines() -> None:
    [config] = [b for b in yaml_blocks() if isinstance(b, dict) and "repos" in b]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in config["repos"][0]["hooks"]] == [h["id"] for h in hooks] == ["policylint"]


def readme_config() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if b.startswith("extends:")]
    return block


def _lint_json(directory: Path) -> tuple[int, list[dict[str, object]]]:
    import json

    done = subprocess.run(
        [sys.executable, "-m", "policylint", "lint", ".", "--format", "json", "--fail-on", "never"],
        cwd=directory, capture_output=True, text=True,
    )
    return done.returncode, json.loads(done.stdout)["findings"]


def test_the_readme_config_example_loads_and_its_expectations_hold_on_the_bundled_example(tmp_path: Path) -> None:
    import shutil

    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "fixtures" / "examples" / "shop", shop)
    (shop / ".policylint.yaml").write_text(readme_config(), encoding="utf-8")
    code, findings = _lint_json(shop)
    assert code == 0
    rules = {str(f["rule"]) for f in findings}
    assert not {r for r in rules if r.startswith("NP0")}, findings  # the config is valid
    assert "NP601" not in rules
    # The expectations are really checked: without the database's policy the deny is violated.
    (shop / "policies-data.yaml").unlink()
    _, findings = _lint_json(shop)
    violated = [f for f in findings if f["rule"] == "NP601"]
    assert violated and all(str(f["file"]).endswith(".policylint.yaml") for f in violated)
