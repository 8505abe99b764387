"""NP805 namespace-assumed: objects without metadata.namespace were placed in the default namespace.

## What it flags

The first namespaced object (workload, Service, policy...) written without `metadata.namespace`,
once per run, with how many such objects the input holds, when neither `--default-namespace`
nor the config's `namespace:` names the namespace they belong to. Cluster-scoped kinds
(Namespace, GlobalNetworkPolicy, AdminNetworkPolicy...) are not counted.

## Why it matters

`kubectl apply` puts such an object in the namespace of the current context (or `-n`), which
the manifests do not say; policylint places it in `default`. Every answer about those objects,
which policies select them and which namespace selectors match them, rests on that guess.
Installs meant for their own namespace (Argo CD's install.yaml) are written this way.

## Example

A Deployment and a Service without `metadata.namespace`, linted without a `namespace:` setting.

## Fix

Set `namespace:` in `.policylint.yaml` (or pass `--default-namespace`) to the namespace the
objects are applied to, or write `metadata.namespace` in the manifests.

## Options

This rule has no options.

## References

- [Namespaces](https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    spans = (ctx.written or ctx.cluster).assumed_namespace
    if spans and not ctx.namespace_set:
        yield Hit(spans[0], f"{len(spans)} object(s) without metadata.namespace placed in namespace 'default' "
                  "(kubectl would use the current context's): set `namespace:` or --default-namespace")  # fmt: skip


RULE = RuleSpec(
    id="NP805",
    name="namespace-assumed",
    summary="Objects without metadata.namespace were placed in the default namespace.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
