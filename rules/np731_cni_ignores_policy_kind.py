"""NP731 cni-ignores-policy-kind: the network plugin does not enforce this kind of policy.

## What it flags

Under a `cni:` setting, each policy of a kind the plugin does not enforce: every NetworkPolicy
in a Flannel cluster, a Calico policy in a Cilium cluster, and so on (the kinds each plugin
enforces are listed, with sources, in `policylint/cni/profiles.json`).

## Why it matters

The policy is accepted by the API server and does nothing: the traffic it was written to
restrict flows freely. Every policylint command evaluates the cluster as the plugin enforces
it, so these policies take no part in the answers either.

## Example

A NetworkPolicy linted with `cni: flannel`.

## Fix

Install a plugin that enforces the policy kind (for Flannel: Calico as Canal), or write the
policy in a kind the plugin enforces.

## Options

This rule has no options.

## References

- [Flannel applies no network policy](https://github.com/flannel-io/flannel/issues/558)
- [Network plugins and NetworkPolicy](https://kubernetes.io/docs/concepts/services-networking/network-policies/#prerequisites)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.cni import profile
from policylint.findings import Hit, Severity
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    written = ctx.written
    if written is None or written is ctx.cluster:
        return
    plugin = profile(ctx.cni)
    kept = {id(p) for p in ctx.cluster.policies}
    dropped_v1 = [p for p in written.policies if id(p) not in kept]
    kept_tier = {id(p) for t in ctx.cluster.tiers for p in t.policies}
    dropped = [(p.origin.kind, p.origin.ref, p.origin.span) for t in written.tiers for p in t.policies
               if id(p) not in kept_tier and not p.origin.kind.startswith("Staged")]  # fmt: skip
    dropped = [("NetworkPolicy", p.ref, p.span) for p in dropped_v1] + dropped
    for kind, ref, span in dropped:
        yield Hit(span, f"{plugin.title} does not enforce {kind}: {ref} has no effect "
                  f"({len(dropped)} such {'policy' if len(dropped) == 1 else 'policies'} in the input)")  # fmt: skip


RULE = RuleSpec(
    id="NP731",
    name="cni-ignores-policy-kind",
    summary="The configured network plugin does not enforce this kind of policy, so it has no effect.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
)
