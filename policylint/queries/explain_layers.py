"""Layered explanations: which tier, policy and rule decided each part of one side's ports."""

from __future__ import annotations

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.flow import Decision, Endpoint
from policylint.model.policy import Direction
from policylint.model.rule_form import Combine, Origin, Tier

# Kinds of the admin policy API; every other first-match tier is Calico's (tier, order, Pass, profiles).
ADMIN_KINDS = frozenset({"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"})


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


def calico_tiers(tiers: tuple[Tier, ...]) -> frozenset[str]:
    """The names of the tiers that are Calico's (first-match tiers of no admin policy)."""
    return frozenset(t.name for t in tiers if t.combine is Combine.FIRST_MATCH
                     and not any(p.origin.kind in ADMIN_KINDS for p in t.policies))  # fmt: skip


def _calico_policy(o: Origin) -> str:
    order = f"order {o.priority:g}" if o.priority is not None else "order unset (last)"
    return f"{o.kind} {o.ref} {order}"


def _calico_rule(o: Origin) -> str:
    section = f" {o.section}" if o.section else ""
    index = f"{section} rule {o.rule_index + 1}" if o.rule_index is not None else ""
    return f"{_calico_policy(o)}{index} at {o.span}"


def describe_calico(d: Decision, calico: frozenset[str], profile: str) -> str:
    """Calico's own words: tier, policy order, rule, Pass, the tier's defaultAction, the profile."""
    verdict = "allowed" if d.allowed else "denied"
    if d.how == "end":
        text = f"{verdict} by the endpoint's profile {profile} (no tier decided; Calico's Kubernetes profiles allow)"
    elif d.how == "rule" and d.origin is not None:
        text = f"{verdict} by Calico tier {d.tier}, {_calico_rule(d.origin)}"
    elif d.how == "default":
        selecting = ", ".join(map(_calico_policy, d.policies))
        text = (f"{verdict}: Calico tier {d.tier} applied ({selecting} select it) and matched nothing: "
                f"defaultAction {'Allow' if d.allowed else 'Deny'}")
    else:
        return describe(d)
    passes = [f"tier {o.tier} passed ({_calico_rule(o)})" if o.tier in calico else f"passed by {_rule(o)}"
              for o in d.passed]  # fmt: skip
    if passes:
        text = f"{', '.join(passes)}, then {text}"
    if d.unmodelled:
        text += f" (assuming {', '.join(d.unmodelled)}, which the analysis does not model)"
    return text


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
    calico = calico_tiers(ev.cluster.tiers)
    profile = f"kns.{ev.workloads[endpoint].namespace}"
    out = []
    for d in run.decisions:
        conns = d.conns if want is None else d.conns & want
        if not conns:
            continue
        in_calico = d.tier in calico or (d.how == "end" and bool(calico)) or any(o.tier in calico for o in d.passed)
        out.append(f"{conns}: {describe_calico(d, calico, profile) if in_calico else describe(d)}")
    out.extend(f"note: {n}" for n in run.notes)
    return out
