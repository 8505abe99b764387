"""NP002 schema-violation: an object that does not match the Kubernetes schema of its kind.

## What it flags

Objects of the kinds policylint reads (NetworkPolicy, Pod, workload controllers, Service,
Namespace) with a field of the wrong type (`port: eighty`, labels written as a list), a
missing required field, or a value outside its enumeration (`protocol: ICMP`).

## Why it matters

The API server rejects the object, so it never takes effect. A policy you believe protects
a workload may simply not exist in the cluster. policylint skips the offending object (or
field) and analyses the rest.

## Example

`port: eighty` is neither a port number nor a valid named-port syntax for the field.

## Fix

Correct the field so that it matches the API reference of the kind.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [NetworkPolicy v1 API reference](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP002",
    name="schema-violation",
    summary="An object does not match the Kubernetes schema of its kind.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="input",
)
