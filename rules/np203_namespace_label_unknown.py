"""NP203 namespace-label-unknown: a namespaceSelector uses a label key that no namespace carries.

## What it flags

A `namespaceSelector` in a from/to peer that requires a label key (in `matchLabels`, or an
`In`/`Exists` expression) that no namespace of the input carries. When the value is the
name of a namespace, the message suggests `kubernetes.io/metadata.name: <name>`, the label
the control plane sets on every namespace; otherwise it suggests the nearest existing key.

Namespace labels are only known when the input holds Namespace manifests. So the rule fires
when at least one Namespace manifest is in the input, or when the value is the name of a
known namespace (the classic `name: kube-system`, a label no namespace carries by default).

A namespace outside the input may carry any label, and the labels of a namespace the input only
refers to (no Namespace manifest) are unknown. So the message says the selector matches no
namespace of the input, only namespaces outside it that carry the label, and the severity follows
the evidence: a **warning** when the named namespace's own manifest is in the input without that
label (the namespace the selector was evidently written for is shown not to match), or when a
near key exists (`teams` beside `team`: likely a typo); an **info** otherwise, e.g. `name:
kube-system` when kube-system's manifest is not in the input (some clusters do label it so; the
advice `kubernetes.io/metadata.name` is still the robust fix).

## Why it matters

A namespaceSelector that requires a label nobody sets matches no namespace, so the peer
allows nothing. `name: <namespace>` is a frequent mistake: that label only exists if someone
adds it, while `kubernetes.io/metadata.name` is always there.

## Example

Selecting the monitoring namespace by a `name` label that the namespace does not carry.

## Fix

Select namespaces by `kubernetes.io/metadata.name`, or by a label the Namespace manifests
actually set.

## Options

This rule has no options.

## References

- [Targeting a Namespace by its name](https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name)
- [KEP-2161: kubernetes.io/metadata.name](https://github.com/kubernetes/enhancements/issues/2161)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity, Span
from policylint.model.selector import LabelSelector, Operator
from policylint.model.workload import NAMESPACE_NAME_LABEL
from policylint.queries.suggest import LabelView, closest, describe_rule, span_or
from policylint.rulespec import RuleContext, RuleSpec


def required_labels(selector: LabelSelector) -> Iterator[tuple[str, str | None, Span]]:
    """(key, first value or None, span) of every term a namespace must carry the key for."""
    for key, value in selector.match_labels:
        yield key, value, selector.span
    for req in selector.match_expressions:
        if req.operator in (Operator.IN, Operator.EXISTS):
            yield req.key, req.values[0] if req.values else None, span_or(req.span, selector.span)


def advice(view: LabelView, key: str, value: str | None) -> str | None:
    """The suggestion, or None when the rule should stay silent for lack of namespace labels."""
    if value is not None and value in view.index.namespace_pos:
        return f"; use `{NAMESPACE_NAME_LABEL}: {value}` to select namespace {value} by name"
    if not view.defined_namespaces:
        return None
    near = closest(key, view.namespace_pool)
    return f"; did you mean `{near}`?" if near else ""


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    view = ctx.shared(LabelView.KEY, lambda: LabelView(ctx.cluster))
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        for i, peer in enumerate(rule.peers or ()):
            selector = peer.namespace_selector
            if selector is None or peer.ip_block is not None:
                continue
            for key, value, span in required_labels(selector):
                if key in view.namespace_pool:
                    continue
                hint = advice(view, key, value)
                if hint is not None:
                    where = f"peer {i + 1} of {describe_rule(policy, rule)}"
                    # Shown not to match: the namespace it names is defined here without the label.
                    shown = value is not None and value in view.defined_namespaces
                    typo = hint.startswith("; did you mean")
                    result = (f"so namespace {value}, defined in the input without it, does not match" if shown
                              else "so it matches only namespaces outside the input")  # fmt: skip
                    yield Hit(
                        span_or(span, peer.span),
                        f"no namespace of the input carries label `{key}` (namespaceSelector "
                        f"{selector} in {where}), {result}{hint}",
                        severity=None if shown or typo else Severity.INFO,
                    )
                    break


RULE = RuleSpec(
    id="NP203",
    name="namespace-label-unknown",
    summary="A namespaceSelector requires a label key that no namespace carries.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
