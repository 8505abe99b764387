"""Helpers for the Calico tests: load manifests written inline."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.load import LoadResult, load_paths


@pytest.fixture
def load_yaml(tmp_path: Path):  # type: ignore[no-untyped-def]
    def load(text: str) -> LoadResult:
        path = tmp_path / "m.yaml"
        path.write_text(text)
        return load_paths([str(path)])

    return load
