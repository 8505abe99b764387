"""Shared pytest options and the hypothesis profiles of every property test.

`--update-golden` rewrites tests/golden/* instead of comparing. Profiles: `ci` (reproducible,
fixed budget) when the CI environment variable is set, else `dev`; HYPOTHESIS_PROFILE overrides
both. The ci budget keeps the property tests well under two minutes on two cores. (tests/fuzz
applies its own profiles per test.)
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", derandomize=True, max_examples=100, print_blob=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("dev", max_examples=60, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True, scope="session")
def _model_cache_in_a_temporary_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`query` caches the loaded model (policylint/cache.py); tests never write to the user's cache."""
    if not os.environ.get("POLICYLINT_CACHE_DIR"):
        os.environ["POLICYLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("policylint-cache"))
