"""Fixtures for rule tests: lint a cluster built in code, or a YAML file through the loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policylint.config import Config, load_config
from policylint.findings import Report
from policylint.model.cluster import Cluster
from policylint.runner import SimpleInput, lint

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "rules"


def assert_no_internal_errors(report: Report) -> None:
    crashed = [f for f in report.findings if f.message.startswith("internal error")]
    assert not crashed, crashed


LintCluster = Callable[..., Report]


def run_cluster(cluster: Cluster, config: Config | None = None, sources: dict[str, str] | None = None) -> Report:
    report = lint(SimpleInput(cluster), config or load_config(None), sources=sources, read=lambda _name: None)
    assert_no_internal_errors(report)
    return report


def run_file(path: Path, config: Config) -> Report:
    from policylint.load import load_paths

    loaded = load_paths([str(path)], default_namespace="default", stdin=None)
    report = lint(loaded, config, debug=True)
    assert_no_internal_errors(report)
    return report


@pytest.fixture
def lint_cluster() -> LintCluster:
    """lint_cluster(cluster, config=None, sources=None) -> Report, without the loader."""
    return run_cluster


@pytest.fixture
def lint_file() -> Callable[[Path, Config], Report]:
    """lint_file(path, config) -> Report, through the loader (skips when it has not landed)."""
    load = pytest.importorskip("policylint.load")
    if not hasattr(load, "load_paths"):
        pytest.skip("policylint.load.load_paths has not landed")
    return run_file
