"""Every fixtures/tiers case: both engines agree with the case's table of flows.

The cases are written from the network-policy-api API reference (apis/v1alpha2/
clusternetworkpolicy_types.go at v0.2.0, apis/v1alpha1/*_types.go at v0.1.7); each manifest
says which part of it the case checks, and each row says why.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml
from tier_probe import needs_concrete, needs_smt

from policylint.engine.concrete import Evaluator
from policylint.engine.flow import Endpoint, Flow
from policylint.load import load_paths
from policylint.model.policy import Protocol
from policylint.queries.endpoints import resolve

CASES = sorted((Path(__file__).parents[2] / "fixtures" / "tiers").iterdir())


def endpoint(ev: Evaluator, text: str) -> Endpoint:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        spec = resolve(ev, text)
        assert spec.single, text
        return spec.workloads.bit_length() - 1


def rows(case: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load((case / "expect.yaml").read_text())["flows"])


def flow(ev: Evaluator, row: dict[str, Any]) -> Flow:
    src, dst = endpoint(ev, row["from"]), endpoint(ev, row["to"])
    return Flow(src, dst, Protocol[row.get("protocol", "TCP")], int(row["port"]))


@needs_concrete()
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_concrete_engine_matches_the_case_table(case: Path) -> None:
    result = load_paths([str(case / "manifests.yaml")])
    assert not result.problems
    ev = Evaluator(result.cluster)
    for row in rows(case):
        f = flow(ev, row)
        assert ev.verdict(f).allowed is row["allowed"], f"{row['from']} -> {row['to']}: {row['why']}"
        assert ev.allowed_conns(f.src, f.dst).contains(f.protocol, f.port) is row["allowed"], row["why"]


@needs_smt()
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_smt_engine_matches_the_case_table(case: Path) -> None:
    from policylint.engine.smt import SmtEngine

    result = load_paths([str(case / "manifests.yaml")])
    ev = Evaluator(result.cluster)
    smt = SmtEngine(result.cluster)
    for row in rows(case):
        assert smt.verdict(flow(ev, row)) is row["allowed"], f"{row['from']} -> {row['to']}: {row['why']}"
