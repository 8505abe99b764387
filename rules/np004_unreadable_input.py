"""NP004 unreadable-input: a path that cannot be read or holds no manifests.

## What it flags

A file that cannot be opened, a symlink loop, empty standard input, or a path (file or
directory) in which no Kubernetes manifest was found. Also each input deliberately not read:
a symlink leading outside the paths given, a git submodule (or nested repository), and a
Git LFS pointer whose content is not fetched.

## Why it matters

A misspelt path or an empty render (`helm template` of a disabled chart) silently shrinks
the analysed cluster: every finding would then describe a cluster that is not yours.
When no input at all can be read, `policylint lint` exits with status 2.

## Example

`policylint lint manifests/` where `manifests/` holds only a README.

## Fix

Pass the paths that hold the rendered manifests, or list them under `paths` in
`.policylint.yaml`.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [Organizing resource configurations](https://kubernetes.io/docs/concepts/cluster-administration/manage-deployment/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP004",
    name="unreadable-input",
    summary="A path cannot be read or holds no Kubernetes manifests.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="input",
)
