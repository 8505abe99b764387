"""NP601 reachability-expectation: a reachability expectation of the config that does not hold.

## What it flags

An item of the config's `expect` list that the policies contradict, checked with the SMT encoding
for every possible pod, namespace and address, not only the input's workloads:

- `deny: {from: A, to: B, port: P}`: no flow from A to B (on P, or on any port) may be allowed;
- `allow: {from: A, to: B, port: P}`: every flow from A to B on P (without `port`: on every port
  and protocol) must be allowed.

Endpoints use the forms of `policylint query`: `ns/name` (a workload of the input), `ns:selector`,
`*:selector`, `[namespace-selector]:selector`, an IP or CIDR, or `any`. `except` lists endpoints
exempt at either end of a flow (a workload in `except` stands for every pod of its namespace
carrying its labels). Selector endpoints stand for ordinary pods: hostNetwork pods, which
NetworkPolicy does not govern, are left out (`hostnetwork-selected` reports those). `port` is a
number, `number/PROTOCOL` (`53/UDP`), or a container port name resolved on a single destination
workload. A violation names a witness connection, re-checked by the concrete evaluator, and the
policy rule that permits it (for `deny`) or the side that blocks it with the closest miss (for
`allow`). The finding points at the expectation in the config file. An undecided check is
reported as "could not decide".

## Why it matters

Expectations turn intent ("nothing but the backend reaches the database") into a merge gate: a
change that opens or closes a path fails the check with a concrete example, before it reaches a
cluster.

## Example

With the expectation `deny: {from: "*", to: shop/db, except: [shop/backend]}`, a policy that
admits every pod of `shop` to the database violates it.

## Fix

Change the policies (or, if the intent changed, the expectation) until the check passes; the
witness shows which flow to close or open.

## Options

This rule has no options; the expectations themselves are the config's `expect` list.

## References

- [Network Policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.engine.concrete import Evaluator
from policylint.engine.smt import SmtEngine, Undecided, Witness
from policylint.findings import Hit, Severity
from policylint.queries.endpoints import EndpointError, resolve
from policylint.queries.expectations import Checked, describe_violation, port_conns, symbolic, symbolic_exempt
from policylint.queries.smt_coverage import smt_engine
from policylint.rulespec import Expectation, RuleContext, RuleSpec


def text_of(e: Expectation) -> str:
    port = f" port {e.port}" if e.port is not None else ""
    rest = f" except {', '.join(e.except_)}" if e.except_ else ""
    return f"'{e.verdict} from {e.source} to {e.target}{port}{rest}'"


def evaluate(ev: Evaluator, engine: SmtEngine, e: Expectation) -> Checked:
    src, dst = resolve(ev, e.source), resolve(ev, e.target)
    exempt = [symbolic_exempt(ev, resolve(ev, x)) for x in e.except_]
    conns = port_conns(ev, dst, e.port)
    allowed = e.verdict == "deny"
    return Checked(engine.find(symbolic(src), symbolic(dst), conns, allowed, exempt), conns)


def check_one(ctx: RuleContext, engine: SmtEngine, e: Expectation) -> Hit | None:
    try:
        checked = evaluate(ctx.evaluator, engine, e)
    except EndpointError as exc:
        return Hit(e.span, f"expectation {text_of(e)} cannot be checked: {exc}")
    answer = checked.answer
    if isinstance(answer, Undecided):
        return Hit(e.span, f"could not decide expectation {text_of(e)} ({answer.reason})")
    if not isinstance(answer, Witness):
        return None
    detail = describe_violation(ctx.cluster, ctx.assumptions, answer, e.verdict, checked.conns)
    return Hit(e.span, f"expectation {text_of(e)} is violated: {detail}")


def check(ctx: RuleContext) -> Iterator[Hit]:
    if not ctx.expectations:
        return
    ev: Evaluator = ctx.evaluator
    engine: SmtEngine | None = ctx.shared("queries.coverage.smt",
        lambda: smt_engine(ev, ctx.smt_timeout_ms, ctx.smt_budget_seconds),
    )
    for e in ctx.expectations:
        if engine is None:
            yield Hit(
                e.span,
                f"expectation {text_of(e)} cannot be checked: the SMT encoding does not support "
                "the assumption ipblocks_match_pods",
            )
            continue
        hit = check_one(ctx, engine, e)
        if hit is not None:
            yield hit


RULE = RuleSpec(
    id="NP601",
    name="reachability-expectation",
    summary="A reachability expectation written in the config does not hold for every possible pod.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="cluster",
    check=check,
    needs_smt=True,
)
