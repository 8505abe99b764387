"""NP724 staged-policy-blocks-dns: enforcing a staged Calico policy would cut its pods off from DNS.

## What it flags

A staged Calico policy (`StagedNetworkPolicy`, `StagedGlobalNetworkPolicy`,
`StagedKubernetesNetworkPolicy`) whose application (its `stagedAction`: Set puts it in place of
the enforced policy of its name, Delete removes that policy) would take DNS away from some pod:
a pod that can send UDP 53 to the cluster DNS (`k8s-app: kube-dns` pods in `kube-system`) today
and could not afterwards. z3 proves it over every pod that could exist, with every other policy
as enforced; the finding names such a pod. Where the SMT encoding cannot be used (the
`ipblocks_match_pods` assumption), a structural check stands in: an egress policy selecting
workloads with no rule allowing UDP 53 before its tier's default Deny.

## Why it matters

Staged policies are previews: they never enforce. Promoting one to an enforced policy makes
its tier apply to the selected pods; egress that no rule allows then ends in the tier's Deny,
and DNS is the first thing to break.

## Example

A staged egress policy that only allows TCP 443.

## Fix

Add an egress rule allowing UDP and TCP 53 to the DNS pods before promoting the policy.

## Options

This rule has no options.

## References

- [Calico StagedNetworkPolicy](https://docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy)
- [Calico Tier defaultAction](https://docs.tigera.io/calico/latest/reference/resources/tier)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.smt import Pods, SmtEngine, SyntheticPod, Undecided, Witness
from policylint.engine.smt.witness import WitnessEndpoint
from policylint.findings import Hit, Severity
from policylint.model.calico_staged import apply_staged, is_staged
from policylint.model.policy import Direction, Protocol
from policylint.model.rule_form import Action, Tier, TierPolicy
from policylint.model.selector import LabelSelector
from policylint.queries.smt_coverage import smt_engine
from policylint.queries.tiers import allows_dns, subject_pods
from policylint.rulespec import RuleContext, RuleSpec


def check(ctx: RuleContext) -> Iterator[Hit]:
    ev = ctx.evaluator
    engine: SmtEngine | None = ctx.shared("queries.coverage.smt",
                                          lambda: smt_engine(ev, ctx.smt_timeout_ms, ctx.smt_budget_seconds))
    for tier in (ctx.written or ctx.cluster).tiers:
        for i, policy in enumerate(tier.policies):
            if not is_staged(policy):
                continue
            what = f"{policy.origin.kind} {policy.origin.ref}"
            if engine is not None:
                lost = _lost_dns(ctx, engine, tier, policy)
                if isinstance(lost, Witness):
                    yield Hit(policy.origin.span, f"{what} would block DNS (UDP 53 to kube-system "
                              f"k8s-app=kube-dns) once applied: {_pod(ev, lost.src)} can reach it today and "
                              "could not then")  # fmt: skip
            elif Direction.EGRESS in policy.directions and _blocks(ctx, tier, i, policy):
                yield Hit(policy.origin.span, f"{what} would block DNS (UDP 53) for the pods it selects once "
                          f"enforced: no rule allows it before tier {tier.name}'s default Deny")  # fmt: skip


DNS = Pods(namespace="kube-system", pod_selector=LabelSelector((("k8s-app", "kube-dns"),)), host_network=False)


def _lost_dns(ctx: RuleContext, engine: SmtEngine, tier: Tier, staged: TierPolicy) -> Witness | Undecided | None:
    after = apply_staged(ctx.cluster, staged, tier.name)
    selected_by = staged if staged.origin.staged_action == "Set" else None
    return engine.lost(after, Pods(), DNS, ConnSet.single(Protocol.UDP, 53), selected_by)


def _pod(ev: Evaluator, end: WitnessEndpoint) -> str:
    if isinstance(end, int):
        return ev.workloads[end].ref
    if isinstance(end, SyntheticPod):
        labels = ", ".join(f"{k}={v}" for k, v in sorted(end.labels.items()))
        return f"a pod in namespace {end.namespace} with labels {{{labels}}}"
    return str(end)


def _blocks(ctx: RuleContext, tier: Tier, index: int, policy: TierPolicy) -> bool:
    if tier.default_action is not Action.DENY or not subject_pods(ctx.evaluator, policy):
        return False
    if any(allows_dns(r) for r in policy.rules_for(Direction.EGRESS)):
        return False
    later = tier.policies[index + 1 :]
    return not any(allows_dns(r) for p in later if not is_staged(p) for r in p.rules_for(Direction.EGRESS))


RULE = RuleSpec(
    id="NP724",
    name="staged-policy-blocks-dns",
    summary="A staged Calico policy would block DNS egress for its pods once enforced.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    needs_smt=True,
)
