"""Calico's selector language, parsed into the one selector model and matched by the engine.

Grammar and meaning: projectcalico/calico libcalico-go/lib/selector/tokenizer/tokenizer.go and
lib/selector/parser/{parser,ast}.go; the operator table of
https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors.
"""

from __future__ import annotations

import pytest

from policylint.engine.selectors import matches
from policylint.model.calico_selector import SelectorError, evaluate, parse, to_dnf

LABELS = [{}, {"app": "web"}, {"app": "web-api", "tier": "front"}, {"app": "db", "role": "x"}, {"tier": "back"}]
SELECTORS = [
    "", "all()", "!all()", "app == 'web'", 'app != "web"', "has(app)", "!has(app)", "app in {'web', 'db'}",
    "app not in {'web'}", "app contains 'eb'", "app starts with 'web'", "app ends with 'api'",
    "!(app starts with 'web')", "app == 'web' || tier == 'back' && !has(role)",
    "(app == 'web' || has(tier)) && !has(role)",
    "!!has(app)", "!app == 'db'", "has(app) && (tier == 'front' || tier == 'back') && app != 'db'",
]


@pytest.mark.parametrize("text", SELECTORS)
def test_dnf_matches_exactly_what_calico_evaluation_matches(text: str) -> None:
    node = parse(text)
    alternatives = to_dnf(node)
    for labels in LABELS:
        assert any(matches(s, labels) for s in alternatives) == evaluate(node, labels), labels


def test_not_equal_and_not_in_match_objects_without_the_label() -> None:
    # ast.go LabelNeValueNode / LabelNotInSetNode: a missing label matches.
    for text in ("app != 'web'", "app not in {'web'}"):
        assert evaluate(parse(text), {}) is True


def test_string_operators_need_the_label() -> None:
    # ast.go LabelContainsValueNode etc.: a missing label never matches.
    for text in ("app contains ''", "app starts with ''", "app ends with ''"):
        assert evaluate(parse(text), {}) is False
        assert evaluate(parse(text), {"app": "x"}) is True


def test_and_binds_tighter_than_or_and_not_applies_to_one_operation() -> None:
    # parser.go: parseOrExpression over parseAndExpression over parseOperation (which takes the `!`s).
    node = parse("has(a) || has(b) && has(c)")
    assert evaluate(node, {"a": ""}) is True
    assert evaluate(node, {"b": ""}) is False
    assert evaluate(parse("!has(a) && has(b)"), {"b": ""}) is True


def test_global_matches_only_non_namespaced_objects() -> None:
    assert evaluate(parse("global()"), {}, is_global=True) is True
    assert evaluate(parse("global()"), {}, is_global=False) is False
    assert to_dnf(parse("global()")) == ()


@pytest.mark.parametrize("text", ["app = 'x'", "app == x", "has()", "(has(a)", "has(a) has(b)", "app starts 'x'",
                                  "&&", "app in 'x'", "all(x)"])
def test_selectors_calico_rejects_are_errors(text: str) -> None:
    with pytest.raises(SelectorError):
        parse(text)
