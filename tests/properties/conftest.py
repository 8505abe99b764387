"""Hypothesis profiles for the property tests: `ci` (reproducible, fixed budget) and `dev`.

`ci` is chosen when the CI environment variable is set; HYPOTHESIS_PROFILE overrides both.
The ci budget keeps the whole properties suite well under two minutes on two cores.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# Test modules import their helpers (strategies, universe) as top-level modules.
sys.path.insert(0, str(Path(__file__).parent))

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", derandomize=True, max_examples=100, print_blob=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("dev", max_examples=60, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
