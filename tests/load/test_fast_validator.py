"""The generated validator (fastjsonschema) only lets a document skip jsonschema: it must never accept
what jsonschema rejects, or a schema error would go unreported. Checked on every object of the
repository's fixtures and on damaged copies of them (a field replaced by a value of another type)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint.load.validate import _fast, _passes, _validator

ROOT = Path(__file__).resolve().parents[2]
WRONG_VALUES: tuple[Any, ...] = (12345, "x", [], {}, None, True, -1)


def fixture_objects() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted((ROOT / "fixtures").rglob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, RecursionError, UnicodeDecodeError):
            continue  # the bad-YAML and deep-nesting fixtures
        for doc in docs:
            if isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str):
                yield str(path.relative_to(ROOT)), doc


def validators(doc: dict[str, Any]) -> tuple[Any, Any] | None:
    try:
        slow = _validator(doc["apiVersion"], doc["kind"])
    except (FileNotFoundError, KeyError, OSError):
        return None  # a kind read without a schema
    return slow, _fast(doc["apiVersion"], doc["kind"])


def damaged(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Copies with one field (to depth 3 under spec/metadata) replaced by a value of another type."""

    def paths(node: Any, prefix: tuple[Any, ...], depth: int) -> Iterator[tuple[Any, ...]]:
        if depth > 3:
            return
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            yield (*prefix, key)
            yield from paths(value, (*prefix, key), depth + 1)

    for path in paths({k: doc[k] for k in ("spec", "metadata") if k in doc}, (), 0):
        for wrong in WRONG_VALUES:
            copied = copy.deepcopy(doc)
            node = copied
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = wrong
            yield copied


CASES = [(name, doc) for name, doc in fixture_objects() if validators(doc) is not None]


@pytest.mark.parametrize("name,doc", CASES, ids=[f"{n}:{d.get('kind')}" for n, d in CASES])
def test_the_generated_validator_never_accepts_what_jsonschema_rejects(name: str, doc: dict[str, Any]) -> None:
    found = validators(doc)
    assert found is not None
    slow, fast = found
    for candidate in (doc, *damaged(doc)):
        if _passes(fast, candidate):  # type: ignore[arg-type]
            assert slow.is_valid(candidate), (name, candidate)
