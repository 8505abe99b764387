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
