"""NP103 invalid-port: a port, endPort or port name that the API server rejects.

## What it flags

In a rule's `ports`:

- a numeric `port` or `endPort` outside 1-65535;
- an `endPort` without a numeric `port` (absent or named), or below `port`;
- a named `port` that is not a valid port name (IANA_SVC_NAME: at most 15 characters,
  lowercase letters, digits and `-`, at least one letter, no `-` at either end or twice in
  a row), including a number written as a string (`port: "80"`).

## Why it matters

The API server rejects the NetworkPolicy, so none of its rules take effect. A quoted
number is a common slip: YAML reads `"80"` as a string, which the API treats as the name
of a container port, not as port 80.

## Example

`endPort` below its `port`, and a port name with an uppercase letter.

## Fix

Use numbers in range, `endPort >= port` with a numeric `port`, and lowercase port names
that match the `name` of a container port.

## Options

This rule has no options.

## References

- [NetworkPolicyPort](https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
- [Targeting a range of ports](https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policylint.findings import Hit, Severity
from policylint.model.policy import PortSpec
from policylint.rulespec import RuleContext, RuleSpec

IANA_SVC_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$")


def name_problem(name: str) -> tuple[str, str] | None:
    """(problem, hint) for an invalid port name."""
    if name.isascii() and name.isdigit():  # ASCII: int() refuses other digits ('²'); long: a hostile number
        if len(name.lstrip("0")) > 5:
            return f"is a number of {len(name)} digits, outside 1-65535", ""
        return "is a string, not a number", f"; write it unquoted: {int(name)}"
    if len(name) > 15:
        return "is longer than 15 characters", ""
    if not IANA_SVC_NAME.match(name):
        lower = name.lower()
        hint = f"; did you mean {lower!r}?" if IANA_SVC_NAME.match(lower) and len(lower) <= 15 else ""
        return "is not a valid port name (lowercase letters, digits and single dashes)", hint
    return None


def port_problems(spec: PortSpec) -> Iterator[tuple[str, str]]:
    """(problem, hint) pairs for one entry of `ports`."""
    port, end = spec.port, spec.end_port
    if isinstance(port, int) and not 1 <= port <= 65535:
        yield f"port {port} is outside 1-65535", ""
    if isinstance(port, str):
        problem = name_problem(port)
        if problem:
            yield f"port name {port!r} {problem[0]}", problem[1]
    if end is None:
        return
    if not 1 <= end <= 65535:
        yield f"endPort {end} is outside 1-65535", ""
    elif port is None:
        yield f"endPort {end} has no port to start the range", "; add a numeric port"
    elif isinstance(port, str):
        yield f"endPort {end} is used with the named port {port!r}", "; use a numeric port"
    elif end < port:
        yield f"endPort {end} is below port {port}", "; swap them"


def check(ctx: RuleContext) -> Iterator[Hit]:
    policy = ctx.policy
    for rule in (policy.ingress or ()) + (policy.egress or ()):
        where = f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"
        for spec in rule.ports or ():
            for problem, hint in port_problems(spec):
                yield Hit(spec.span, f"{problem} in {where}{hint}")


RULE = RuleSpec(
    id="NP103",
    name="invalid-port",
    summary="A port, endPort or port name is out of range or malformed.",
    default_severity=Severity.ERROR,
    enabled_by_default=True,
    scope="policy",
    check=check,
)
