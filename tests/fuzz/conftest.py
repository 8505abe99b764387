"""Loads this folder's strategies.py as `fuzz_strategies` (which also registers the fuzz profiles).

The property tests import a different `strategies` module from sys.path; ours is loaded by file,
under its own name, so the two never shadow each other when pytest runs both folders.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("fuzz_strategies", Path(__file__).with_name("strategies.py"))
assert _spec is not None and _spec.loader is not None
fuzz_strategies = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_strategies"] = fuzz_strategies
_spec.loader.exec_module(fuzz_strategies)
