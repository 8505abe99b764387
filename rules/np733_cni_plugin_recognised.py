"""NP733 cni-plugin-recognised: the manifests install a network plugin other than the `cni:` setting.

## What it flags

A DaemonSet whose name is that of a known network plugin (`calico-node`, `canal`, `cilium`,
`kube-flannel-ds`, `weave-net`, `antrea-agent`, `ovnkube-node`, `aws-node`) when the `cni:`
setting names another plugin or is left at `generic`. And, once per run, the first policy of
a plugin's own kinds (CiliumNetworkPolicy, Calico `projectcalico.org/v3`, AdminNetworkPolicy...)
when no `cni:` is set: it is then analysed as enforced, and the finding says by which plugin.

## Why it matters

What a policy means depends on the plugin: whether it is enforced at all, whether ipBlocks
match pod addresses, which kinds count. Analysing the manifests under the wrong plugin gives
answers about another cluster.

## Example

A `calico-node` DaemonSet linted without a `cni:` setting.

## Fix

Set `cni:` in `.policylint.yaml` (or pass `--cni`) to the plugin the finding names.

## Options

This rule has no options.

## References

- [Network plugins](https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.cni import GENERIC, profiles
from policylint.findings import Hit, Severity
from policylint.queries.assumed import cni_note
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    by_daemonset = {name: p for p in profiles().values() for name in p.daemonsets}
    for w in (ctx.written or ctx.cluster).workloads:
        plugin = by_daemonset.get(w.name) if w.kind == "DaemonSet" else None
        if plugin is not None and plugin.name != ctx.cni:
            yield Hit(w.span, f"DaemonSet {w.namespace}/{w.name} installs {plugin.title}: set `cni: {plugin.name}` "
                      f"(the setting is {ctx.cni})")  # fmt: skip
    written = ctx.written or ctx.cluster
    note = cni_note(written, ctx.cni) if ctx.cni == GENERIC else None
    if note is not None:  # dialect policies read as enforced although no plugin was named
        yield Hit(written.dialect_policies[0][2], note.removeprefix("note: "))


RULE = RuleSpec(
    id="NP733",
    name="cni-plugin-recognised",
    summary="The manifests install a network plugin that the cni setting does not name.",
    default_severity=Severity.INFO,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
