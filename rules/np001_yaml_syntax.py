"""NP001 yaml-syntax: a file that is not well-formed YAML or JSON.

## What it flags

Input the loader cannot parse: YAML syntax errors, tabs used for indentation, bytes that
are not UTF-8, NUL characters, documents nested or aliased beyond the safety limits, and
unsafe YAML tags such as `!!python/object`.

## Why it matters

`kubectl apply` rejects such a file, so none of the objects in the broken document reach
the cluster. policylint still analyses the other documents and files, but the cluster it
models lacks whatever the broken document held, so other findings may be incomplete.

## Example

A tab before `podSelector` makes the document unparseable.

## Fix

Indent with spaces and quote values that YAML would otherwise misread.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [YAML 1.2: indentation spaces](https://yaml.org/spec/1.2.2/#61-indentation-spaces)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP001",
    name="yaml-syntax",
    summary="The file is not well-formed YAML or JSON.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="input",
)
