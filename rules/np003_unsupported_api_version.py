"""NP003 unsupported-api-version: a NetworkPolicy (or other read kind) in a retired API version.

## What it flags

Objects whose `apiVersion` the current API server no longer serves for their kind, such as
`extensions/v1beta1` NetworkPolicy, which was removed in Kubernetes 1.16. A kind of the same
name in another API group (`projectcalico.org/v3` NetworkPolicy, a CRD's `Pod`) is a different
kind, not an old version: it is skipped, and NP801 reports it when it can change connectivity.

## Why it matters

`kubectl apply` fails with "no matches for kind", so the policy is never created and the
workloads it was meant to protect stay open. policylint does not analyse such objects.

## Example

A NetworkPolicy written with `apiVersion: extensions/v1beta1`.

## Fix

Use `apiVersion: networking.k8s.io/v1`; the spec fields are the same.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [Deprecated API migration guide](https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-16)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP003",
    name="unsupported-api-version",
    summary="An object uses an API version that is no longer served for its kind.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="input",
)
