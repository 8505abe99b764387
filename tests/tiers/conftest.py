"""Test modules here import their helper (tier_probe) as a top-level module."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
