"""Every fixtures/semantics case: the concrete evaluator agrees with the case's table of flows."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint.engine.concrete import Evaluator
from policylint.engine.flow import Endpoint, Flow
from policylint.load import load_paths
from policylint.model.policy import Protocol
from policylint.queries.endpoints import resolve

CASES = sorted((Path(__file__).parents[2] / "fixtures" / "semantics").iterdir())


def endpoint(ev: Evaluator, text: str) -> Endpoint:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        spec = resolve(ev, text)
        assert spec.single, text
        return spec.workloads.bit_length() - 1


def flows(case: Path) -> list[dict[str, Any]]:
    doc = yaml.safe_load((case / "expect.yaml").read_text())
    return list(doc["flows"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_concrete_engine_matches_the_case_table(case: Path) -> None:
    result = load_paths([str(case / "manifests.yaml")])
    assert not result.problems
    ev = Evaluator(result.cluster)
    for row in flows(case):
        flow = Flow(endpoint(ev, row["from"]), endpoint(ev, row["to"]),
                    Protocol[row.get("protocol", "TCP")], int(row["port"]))
        assert ev.verdict(flow).allowed is row["allowed"], f"{row['from']} -> {row['to']}: {row['why']}"
        conns = ev.allowed_conns(flow.src, flow.dst)
        assert conns.contains(flow.protocol, flow.port) is row["allowed"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_smt_engine_matches_the_case_table(case: Path) -> None:
    from policylint.engine.smt import SmtEngine

    result = load_paths([str(case / "manifests.yaml")])
    ev = Evaluator(result.cluster)
    smt = SmtEngine(result.cluster)
    for row in flows(case):
        flow = Flow(endpoint(ev, row["from"]), endpoint(ev, row["to"]),
                    Protocol[row.get("protocol", "TCP")], int(row["port"]))
        assert smt.verdict(flow) is row["allowed"], f"{row['from']} -> {row['to']}: {row['why']}"
