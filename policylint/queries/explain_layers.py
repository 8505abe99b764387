"""Layered explanations: which tier, policy and rule decided each part of one side's ports."""

from __future__ import annotations

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Decision, Endpoint
from policylint.model.policy import Direction
from policylint.model.rule_form import Origin


def _policy(o: Origin) -> str:
    where = [o.tier] if o.tier else []
    if o.priority is not None:
        where.append(f"priority {o.priority:g}")
    return f"{o.kind} {o.ref}" + (f" ({', '.join(where)})" if where else "")


def _rule(o: Origin) -> str:
    section = f" {o.section}" if o.section else ""
    index = f"{section} rule {o.rule_index + 1}" if o.rule_index is not None else ""
    index += f" {o.rule_name!r}" if o.rule_name else ""
    return f"{_policy(o)}{index} ({o.span})"


def describe(d: Decision) -> str:
    verdict = "allowed" if d.allowed else "denied"
    if d.how == "end":
        text = f"{verdict}: no tier decided"
    elif d.network_policy:
        text = f"{verdict} by NetworkPolicy (details below)"
    elif d.how == "rule" and d.origin is not None:
        text = f"{verdict} by {_rule(d.origin)}"
    elif d.how == "default":
        selecting = ", ".join(map(_policy, d.policies))
        text = f"{verdict} by the default action of tier {d.tier}, which selects it ({selecting})"
    else:
        text = f"{verdict}: isolated in tier {d.tier} by {', '.join(map(_policy, d.policies))} and no rule admits it"
    if d.passed:
        text += f", passed down by {', '.join(map(_rule, d.passed))}"
    if not d.consulted_network_policy and d.how != "end":
        text += ", before any NetworkPolicy was consulted"
    if d.unmodelled:
        text += f" (assuming {', '.join(d.unmodelled)}, which the analysis does not model)"
    return text


def layer_lines(ev: Evaluator, endpoint: Endpoint, other: Endpoint, direction: Direction,
                want: ConnSet | None) -> list[str]:
    """One line per decided part of `want` (all ports when None); empty without tiers."""
    if ev.layers is None or not isinstance(endpoint, int):
        return []
    run = ev.layers.walk(endpoint, other, direction, record=True)
    out = []
    for d in run.decisions:
        conns = d.conns if want is None else d.conns & want
        if conns:
            out.append(f"{conns}: {describe(d)}")
    out.extend(f"note: {n}" for n in run.notes)
    return out
