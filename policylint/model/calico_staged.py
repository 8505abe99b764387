"""Staged policies (Calico Staged* kinds) never enforce: they are kept out of the tiers the
engines evaluate unless the user asks what they would change (`--with-staged`).

Sources: docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy (and
stagedglobalnetworkpolicy, stagedkubernetesnetworkpolicy): a staged policy "is used to preview
network behavior and does not enforce"; projectcalico/calico api/pkg/apis/projectcalico/v3
(ConvertStagedPolicyToEnforced and friends) turn a staged policy into the enforced policy of the
same name and namespace, with its `stagedAction`: `Set` (the default) previews that policy as
created or updated, `Delete` previews its deletion. `Learn` and `Ignore` (policy recommendation
states) preview no change here. So with `--with-staged` a Set policy replaces the enforced policy
of its name and a Delete policy removes it:
StagedNetworkPolicy -> projectcalico.org/v3 NetworkPolicy, StagedGlobalNetworkPolicy ->
GlobalNetworkPolicy, StagedKubernetesNetworkPolicy -> networking.k8s.io/v1 NetworkPolicy.
"""

from __future__ import annotations

from dataclasses import replace

from policylint.findings import Span
from policylint.model.cluster import Cluster
from policylint.model.rule_form import TierPolicy

STAGED_PREFIX = "Staged"
KUBERNETES = "StagedKubernetesNetworkPolicy"
SET, DELETE = "Set", "Delete"
Identity = tuple[str, str | None, str]  # (kind enforced, namespace, name)


def is_staged(policy: TierPolicy) -> bool:
    return policy.origin.kind.startswith(STAGED_PREFIX)


def without_staged(cluster: Cluster) -> Cluster:
    """The tiers as enforced today."""
    if not any(is_staged(p) for t in cluster.tiers for p in t.policies):
        return cluster
    tiers = tuple(replace(t, policies=tuple(p for p in t.policies if not is_staged(p))) for t in cluster.tiers)
    return replace(cluster, tiers=tiers)


def with_staged(cluster: Cluster) -> Cluster:
    """The tiers as they would be enforced once every staged policy is applied (Set or Delete)."""
    staged = staged_policies(cluster)
    if not staged:
        return cluster
    kubernetes = {(p.namespace, p.name, p.span) for p in cluster.policies}
    touched = {_target(p) for p in staged if p.origin.staged_action in (SET, DELETE)}

    def kept(p: TierPolicy) -> bool:
        if is_staged(p):
            return p.origin.staged_action == SET
        return _identity(p, kubernetes) not in touched

    tiers = tuple(replace(t, policies=tuple(p for p in t.policies if kept(p))) for t in cluster.tiers)
    return replace(cluster, tiers=tiers)


def _target(policy: TierPolicy) -> Identity:
    """The enforced policy a staged one stands for."""
    kind = policy.origin.kind
    enforced = "Kubernetes" if kind == KUBERNETES else kind[len(STAGED_PREFIX):]
    return (enforced, policy.origin.namespace, policy.origin.name)


def _identity(policy: TierPolicy, kubernetes: set[tuple[str, str, Span]]) -> Identity:
    o = policy.origin
    # A Kubernetes NetworkPolicy compiled into Calico's default tier has the same kind name as a
    # Calico NetworkPolicy; its span (the Kubernetes document) tells them apart.
    if o.kind == "NetworkPolicy" and (o.namespace, o.name, o.span) in kubernetes:
        return ("Kubernetes", o.namespace, o.name)
    return (o.kind, o.namespace, o.name)


def staged_policies(cluster: Cluster) -> list[TierPolicy]:
    return [p for t in cluster.tiers for p in t.policies if is_staged(p)]


def apply_staged(cluster: Cluster, staged: TierPolicy, tier: str) -> Cluster:
    """`cluster` (staged policies left out) once the one staged policy is applied in `tier`: Set puts
    it in place of the enforced policy of its name, Delete removes that policy, others change nothing."""
    action = staged.origin.staged_action
    if action not in (SET, DELETE):
        return cluster
    kubernetes = {(p.namespace, p.name, p.span) for p in cluster.policies}
    target = _target(staged)
    tiers = []
    for t in cluster.tiers:
        kept = [p for p in t.policies if _identity(p, kubernetes) != target]
        if t.name == tier and action == SET:
            kept = sorted([*kept, staged], key=lambda p: p.order)
        tiers.append(replace(t, policies=tuple(kept)))
    return replace(cluster, tiers=tuple(tiers))
