"""NP404 peer-shadowed: a peer of a rule that another peer of the same rule already covers.

## What it flags

An element of a rule's `from` (`to`) list that matches only pods or addresses another element of
the same list matches too: an ipBlock inside another ipBlock (excepts included), or a selector
peer that is narrower than another, proven with the SMT encoding for every possible pod and
namespace. Of two identical peers, the later one is reported. An undecided solver check is
reported as "could not decide".

## Why it matters

Both peers share the rule's ports, so the narrower one allows nothing more. It reads as if it
mattered, and tightening it later will not restrict anything while the broader peer stays.

## Example

`podSelector: {app: web, tier: front}` next to `podSelector: {app: web}`, and a /24 inside a /16.

## Fix

Delete the covered peer, or narrow the broader one if that was the intent.

## Options

This rule has no options.

## References

- [NetworkPolicyPeer](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import SmtEngine, Undecided
from policylint.findings import Hit, Severity
from policylint.model.policy import NetworkPolicy, Peer, Rule
from policylint.queries.smt_coverage import peer_covered, smt_engine
from policylint.rulespec import RuleContext, RuleSpec


def valid(peer: Peer) -> bool:
    selectors = peer.pod_selector is not None or peer.namespace_selector is not None
    if peer.ip_block is not None:
        return not selectors and peer.ip_block.network is not None
    return selectors


def contained(ctx: RuleContext, policy: NetworkPolicy, rule: Rule, inner: int, outer: int) -> bool | Undecided:
    ev: Evaluator = ctx.evaluator
    a, b = (rule.peers or ())[inner], (rule.peers or ())[outer]
    if (a.ip_block is None) != (b.ip_block is None):
        return False
    if a.ip_block is not None:
        atoms = ev.peer_atoms(a)
        return bool(atoms) and not atoms & ~ev.peer_atoms(b)
    if ev.peer_pods(policy, a) & ~ev.peer_pods(policy, b):
        return False  # an input workload matches the inner peer only
    engine: SmtEngine | None = ctx.shared("queries.coverage.smt",
        lambda: smt_engine(ev, ctx.smt_timeout_ms, ctx.smt_budget_seconds),
    )
    return False if engine is None else peer_covered(engine, policy, rule, inner, outer)


def covering_peer(ctx: RuleContext, policy: NetworkPolicy, rule: Rule, i: int) -> int | Undecided | None:
    peers = rule.peers or ()
    for j in range(len(peers)):
        if j == i or not valid(peers[j]):
            continue
        answer = contained(ctx, policy, rule, i, j)
        if answer is True and j > i:
            answer = contained(ctx, policy, rule, j, i) is not True  # equal peers: report the later one only
        if answer is True or isinstance(answer, Undecided):
            return j if answer is True else answer
    return None


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        peers = rule.peers or ()
        where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"
        for i, peer in enumerate(peers):
            j = covering_peer(ctx, policy, rule, i) if valid(peer) and len(peers) > 1 else None
            if isinstance(j, Undecided):
                yield Hit(peer.span, f"could not decide whether peer {i + 1} of {where} is covered ({j.reason})")
            elif j is not None:
                yield Hit(
                    peer.span,
                    f"peer {i + 1} of {where} is shadowed by peer {j + 1}, which matches every "
                    "pod and address it matches; remove it",
                )


RULE = RuleSpec(
    id="NP404",
    name="peer-shadowed",
    summary="A peer of a rule matches nothing that another peer of the same rule does not match.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="policy",
    check=check,
    needs_smt=True,
)
