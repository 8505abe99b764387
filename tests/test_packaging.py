"""The wheel carries every package: pyproject.toml lists them one by one, so a new one must be added."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_source_tree_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "policylint").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set()


def test_every_data_file_of_a_package_is_in_the_wheel() -> None:
    # A data file no package-data pattern names is missing from `pip install .` (CI's install),
    # while an editable install still finds it: only this test notices.
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    missing = []
    for file in (ROOT / "policylint").rglob("*"):
        if not file.is_file() or file.suffix in (".py", ".pyc") or "__pycache__" in file.parts:
            continue
        rel = file.relative_to(ROOT)
        package = ".".join(rel.parent.parts)
        owners = [(p, pats) for p, pats in data.items() if package == p or package.startswith(p + ".")]
        covered = any(
            file.relative_to(ROOT / Path(*p.split("."))).match(pat) for p, pats in owners for pat in pats
        )
        if not covered:
            missing.append(str(rel))
    assert missing == []
