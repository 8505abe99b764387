"""Tests here reuse the model strategies of tests/properties and the clusters of perf_clusters.py
(imported as top-level modules)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "properties"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
