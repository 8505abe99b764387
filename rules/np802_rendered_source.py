"""NP802 rendered-source: a Helm chart or Kustomize root that was not read as plain files.

## What it flags

A directory with a `Chart.yaml` (a Helm chart: its templates are Go templates, not
manifests), and a Kustomize root (a `kustomization.yaml` that no other kustomization of the
input uses) that could not be rendered because neither `kustomize` nor `kubectl` is installed
or rendering failed (remote resources without network access, a broken patch). The files of
such a directory are skipped, and the message says what to run instead. A Kustomize root
that renders is analysed from `kustomize build` (or `kubectl kustomize`) output and gives no
finding; a kustomization that only lists local files is read as plain files.

## Why it matters

Read as plain YAML, a chart gives a syntax error per template line, and a kustomization loses
what it sets: `namespace:` puts every object in its namespace, so the same policies read
without it land in `default` and the real namespace looks unprotected.

## Example

A chart directory `charts/shop/` with `Chart.yaml` and `templates/deployment.yaml`.

## Fix

Render it and lint the output: `helm template shop charts/shop | policylint lint -`, or
`kustomize build overlays/prod | policylint lint -`.

## Options

This rule has no options. Input rules cannot be disabled; their severity can be changed.

## References

- [helm template](https://helm.sh/docs/helm/helm_template/)
- [kustomization namespace](https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP802",
    name="rendered-source",
    summary="A Helm chart or Kustomize root was skipped: render it and lint the output.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="input",
)
