#!/usr/bin/env python3
"""Generate a realistic, deterministic cluster for the benchmark.

    python bench/generate.py --workloads 5000 --seed 1 --out bench/out/w5000

writes one folder per namespace (namespace, deployments, statefulsets, daemonsets, services and
networkpolicies files, multi-document YAML) and prints the counts as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchgen.plan import PROFILES  # noqa: E402
from benchgen.write import generate  # noqa: E402

MIN_WORKLOADS = 20
MAX_WORKLOADS = 100_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", type=int, required=True, help="number of workloads (50 to 20000 typical)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (emptied if generated before)")
    parser.add_argument("--profile", choices=PROFILES, default="sparse",
                        help="sparse (every namespace default-deny) or dense (a quarter open); default sparse")
    args = parser.parse_args(argv)
    if not MIN_WORKLOADS <= args.workloads <= MAX_WORKLOADS:
        parser.error(f"--workloads must be between {MIN_WORKLOADS} and {MAX_WORKLOADS}")
    meta = generate(args.workloads, args.seed, args.out, args.profile)
    print(json.dumps({k: v for k, v in meta.items() if k != "queries"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
