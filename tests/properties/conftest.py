"""Test modules here import their helpers (strategies, universe) as top-level modules.

The hypothesis profiles (`ci`, `dev`) are in tests/conftest.py, so they hold for every folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
