"""For every rule: bad.yaml fires exactly the marked (line, id) multiset, good.yaml is silent.

Only the rule under test is enabled (input rules, NP0xx, always run: they cannot be disabled,
so a fixture that triggers one must mark it too).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from policylint.config import Config, load_config
from policylint.findings import Report
from policylint.registry import RuleEntry, default_registry

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "rules"
MARKER = re.compile(r"#\s*\[(NP\d{3}(?:\s*,\s*NP\d{3})*)\]\s*$")
RULES = [e for e in default_registry().entries if e.spec.scope != "input"]
LintFile = Callable[[Path, Config], Report]


def expected_markers(path: Path) -> Counter[tuple[int, str]]:
    found: Counter[tuple[int, str]] = Counter()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        m = MARKER.search(line)
        if m:
            found.update((number, rule.strip()) for rule in m.group(1).split(","))
    return found


def config_for(entry: RuleEntry) -> Config:
    folder = FIXTURES / entry.module
    config = load_config(folder / "config.yaml") if (folder / "config.yaml").is_file() else load_config(None)
    return config.only([entry.spec.id])


def test_marker_parser_reads_several_ids(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: 2  # [NP101, NP102]\nc: 3 # [NP101]\n")
    assert expected_markers(path) == Counter({(2, "NP101"): 1, (2, "NP102"): 1, (3, "NP101"): 1})


@pytest.mark.parametrize("entry", RULES, ids=lambda e: e.module)
def test_bad_fixture_fires_exactly_on_the_marked_lines(entry: RuleEntry, lint_file: LintFile) -> None:
    path = FIXTURES / entry.module / "bad.yaml"
    report = lint_file(path, config_for(entry))
    got = Counter((f.span.line, f.rule) for f in report.findings)
    assert got == expected_markers(path), "\n".join(f"{f.span}: {f.rule} {f.message}" for f in report.findings)


@pytest.mark.parametrize("entry", RULES, ids=lambda e: e.module)
def test_good_fixture_is_silent(entry: RuleEntry, lint_file: LintFile) -> None:
    report = lint_file(FIXTURES / entry.module / "good.yaml", config_for(entry))
    assert [f"{f.span}: {f.rule} {f.message}" for f in report.findings] == []
