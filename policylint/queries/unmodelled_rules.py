"""Rules evaluated as if conditions outside the model held (L7, ICMP, authentication, ...).

`query` names them in each explanation that depends on them (explain_layers.py); commands that
print connections without explanations (matrix, exposure) list them once, so no answer that rests
on them looks exact.
"""

from __future__ import annotations

from policylint.model.cluster import Cluster
from policylint.model.rule_form import Action


def notes(cluster: Cluster) -> list[str]:
    """One line per rule of the (enforced) cluster with conditions the analysis does not model."""
    lines: list[str] = []
    for tier in cluster.tiers:
        for policy in tier.policies:
            for rule in policy.rules:
                if not rule.unmodelled:
                    continue
                o = rule.origin
                section = f" {o.section}" if o.section else ""
                index = f"{section} rule {o.rule_index + 1}" if o.rule_index is not None else ""
                effect = "allows" if rule.action is Action.ALLOW else "matches"
                lines.append(f"{o.span}: note: {o.kind} {o.ref}{index} is evaluated assuming "
                             f"{', '.join(rule.unmodelled)}, which the analysis does not model: "
                             f"the traffic it {effect} may be narrower than shown")  # fmt: skip
    return lines
