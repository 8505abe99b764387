"""Tests here reuse the model strategies of tests/properties (imported as a top-level module)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "properties"))
