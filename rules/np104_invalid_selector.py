"""NP104 invalid-selector: a label selector the API server rejects.

## What it flags

In `spec.podSelector` and in the `podSelector` and `namespaceSelector` of every peer:

- a label key that is not a qualified name (`[prefix/]name`, name at most 63 characters of
  letters, digits, `-`, `_` and `.`, starting and ending alphanumeric; the prefix a DNS
  subdomain);
- a label value that is not empty and not a valid label value (same syntax as the name);
- a `matchExpressions` operator used with the wrong values: `In` and `NotIn` need at least
  one value, `Exists` and `DoesNotExist` must have none.

## Why it matters

The API server rejects the NetworkPolicy, so none of its rules take effect. Tools that
read such selectors anyway disagree on what they match.

## Example

A key with a space, and `Exists` given a value list.

## Fix

Fix the key or value syntax; drop `values` from `Exists`/`DoesNotExist`, or use `In`.

## Options

This rule has no options.

## References

- [Labels: syntax and character set](https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set)
- [LabelSelector](https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policylint.findings import Hit, Severity, Span
from policylint.model.selector import LabelSelector, Operator
from policylint.rulespec import RuleContext, RuleSpec

NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def key_valid(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if "/" in key and not (prefix and len(prefix) <= 253 and DNS_SUBDOMAIN.match(prefix)):
        return False
    return len(name) <= 63 and bool(NAME.match(name))


def value_valid(value: str) -> bool:
    return value == "" or (len(value) <= 63 and bool(NAME.match(value)))


def selector_problems(sel: LabelSelector) -> Iterator[tuple[str, Span]]:
    """(message, span) pairs; the span is the requirement's when it has one."""
    for key, value in sel.match_labels:
        if not key_valid(key):
            yield f"label key {key!r} is not a valid label key", sel.span
        if not value_valid(value):
            yield f"label value {value!r} (key {key!r}) is not a valid label value", sel.span
    for req in sel.match_expressions:
        span = req.span if req.span.line else sel.span
        if not key_valid(req.key):
            yield f"label key {req.key!r} is not a valid label key", span
        needs_values = req.operator in (Operator.IN, Operator.NOT_IN)
        if needs_values and not req.values:
            yield f"operator {req.operator.value} on {req.key!r} needs at least one value", span
        if not needs_values and req.values:
            yield f"operator {req.operator.value} on {req.key!r} must not have values", span
        for value in req.values:
            if not value_valid(value):
                yield f"label value {value!r} (key {req.key!r}) is not a valid label value", span


def selectors(ctx: RuleContext) -> Iterator[tuple[str, LabelSelector]]:
    policy = ctx.policy
    yield f"spec.podSelector of {policy.ref}", policy.pod_selector
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        for i, peer in enumerate(rule.peers or ()):
            where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1} peer {i + 1}"
            if peer.pod_selector is not None:
                yield f"podSelector of {where}", peer.pod_selector
            if peer.namespace_selector is not None:
                yield f"namespaceSelector of {where}", peer.namespace_selector


def check(ctx: RuleContext) -> Iterator[Hit]:
    for where, sel in selectors(ctx):
        for message, span in selector_problems(sel):
            yield Hit(span, f"{message} in {where}")


RULE = RuleSpec(
    id="NP104",
    name="invalid-selector",
    summary="A label selector has invalid key or value syntax, or an operator with the wrong values.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
