"""`policylint.api` used as a library user would: paths in, result objects out, no click."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policylint import api

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "examples" / "shop"


@pytest.fixture
def shop_fixed(tmp_path: Path) -> Path:
    """The shop example with its deliberate typo (`app: fronend`) fixed."""
    fixed = tmp_path / "shop"
    shutil.copytree(SHOP, fixed)
    policies = fixed / "policies-shop.yaml"
    text = policies.read_text(encoding="utf-8")
    assert "app: fronend}" in text
    policies.write_text(text.replace("app: fronend}", "app: frontend}"), encoding="utf-8")
    return fixed


def test_lint_finds_the_peer_that_selects_nothing() -> None:
    report = api.lint([str(SHOP)])
    typo = [f for f in report.findings if f.rule == "NP202"]
    assert len(typo) == 1
    assert typo[0].span.file.endswith("policies-shop.yaml") and "fronend" in typo[0].message
    assert report.files_read == len(list(SHOP.glob("*.yaml")))


def test_one_loaded_input_answers_several_questions() -> None:
    shop = api.load([str(SHOP)])
    answer = api.query(shop, "shop/frontend", "shop/api", port=9000)
    assert not answer.allowed
    assert api.query(shop, "shop/frontend", "shop/api", port=9000, protocol=api.Protocol.TCP).allowed is False
    assert api.matrix(shop).connections  # some traffic is allowed in the shop
    assert any(f.rule == "NP202" for f in api.lint(shop).findings)


def test_query_rejects_an_unknown_endpoint() -> None:
    with pytest.raises(api.EndpointError):
        api.query([str(SHOP)], "shop/no-such-workload", "shop/api")


def test_diff_of_the_fix_adds_one_connection_and_fixes_the_finding(shop_fixed: Path) -> None:
    impact = api.diff(str(SHOP), str(shop_fixed), with_lint=True)
    added = [(str(c.src), str(c.dst)) for c in impact.diff.changes if c.kind.value == "added"]
    assert added == [("shop/frontend[Deployment]", "shop/api[Deployment]")]
    assert impact.diff.allows_more() and len(impact.diff.changes) == 1
    assert impact.new_findings == []
    assert "NP202" in [f.rule for f in impact.fixed_findings or []]  # the typo is gone


def test_missing_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(api.InputError):
        api.diff(str(tmp_path / "missing"), str(SHOP))
