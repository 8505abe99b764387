"""NP005 duplicate-key: a mapping key written twice in one YAML mapping.

## What it flags

A key that appears twice in the same mapping, for example two `podSelector:` keys in one
peer, or `ingress:` written twice in one spec.

## Why it matters

YAML parsers disagree on duplicate keys: most keep the last value silently, kubectl's
strict decoding rejects the document. Either way half of what you wrote is ignored, and
which half depends on the tool, so the policy in the cluster may not be the one reviewed.

## Example

A spec with two `ingress:` keys: only the second list is applied.

## Fix

Merge the two values under one key.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [YAML 1.2: mapping keys must be unique](https://yaml.org/spec/1.2.2/#mapping)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP005",
    name="duplicate-key",
    summary="A mapping key is written twice and one of its values is silently dropped.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="input",
)
