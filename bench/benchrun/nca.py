"""network-config-analyzer (NCA), in its own virtualenv, for the side-by-side column."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchrun.measure import run_child

BENCH = Path(__file__).resolve().parent.parent
VENV = BENCH / ".nca-venv"
NCA = VENV / "bin" / "nca"
CACHE = BENCH / "out" / "nca-cache.json"
PACKAGE = "network-config-analyzer"


def install() -> int:
    """Create bench/.nca-venv and install NCA into it (it pins its own dependencies)."""
    if not VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, PACKAGE], check=True)
    print(f"installed: {version() or PACKAGE}")
    return 0


def available() -> bool:
    return NCA.is_file()


def version() -> str | None:
    if not available():
        return None
    out = subprocess.run([str(NCA), "--version"], capture_output=True, text=True, check=False)
    text = (out.stdout + out.stderr).strip()
    return text.splitlines()[-1] if text else None


def digest(root: Path) -> str:
    """Content hash of a generated cluster, so cached NCA timings are only reused for identical input."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.yaml") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _read_cache() -> dict[str, Any]:
    try:
        value = json.loads(CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def measure(root: Path, timeout: float, use_cache: bool = True) -> dict[str, Any]:
    """Time `nca --connectivity --resource_list DIR -o txt_no_fw_rules`; cached by input content and timeout."""
    key = f"{digest(root)}:{int(timeout)}"
    cache = _read_cache()
    if use_cache and key in cache:
        return {**cache[key], "cached": True}
    cmd = [str(NCA), "--connectivity", "--resource_list", str(root), "-o", "txt_no_fw_rules"]
    m = run_child(cmd, timeout, capture_stdout=True)
    result: dict[str, Any] = {"seconds": m.seconds, "peak_mb": m.peak_mb, "timed_out": m.timed_out}
    if not m.timed_out and m.returncode != 0:
        result["error"] = f"exit {m.returncode}: {m.stderr.strip()[-300:]}"
    if m.ok:
        result["lines"] = sum(1 for line in m.stdout.splitlines() if " => " in line)
    cache[key] = result
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {**result, "cached": False}
