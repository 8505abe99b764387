"""NP901 unused-suppression: a suppression comment or annotation that suppresses nothing.

## What it flags

A `# policylint: disable-line`, `disable-next-line` or `disable-file` comment, or a
`policylint.io/disable` annotation, that matched no finding of an enabled rule; one naming
a rule that does not exist; a misspelt directive (`# policylint: disable-lines`); and a
`disable-file` placed after the file's first comment block, where it has no effect.

## Why it matters

Suppressions outlive the problems they silenced. A stale one hides the next real finding
on that line or object, and a misspelt one silences nothing while looking like it does.

## Example

A `disable-line` for a rule that no longer fires on that line.

## Fix

Delete the suppression, or correct the rule id or name it lists.

## Options

This rule has no options. Suppressions naming a rule that is disabled are not reported.

## References

- [ruff RUF100 unused-noqa](https://docs.astral.sh/ruff/rules/unused-noqa/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP901",
    name="unused-suppression",
    summary="A suppression comment or annotation matches no finding.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="meta",
)
