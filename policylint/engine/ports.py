"""Port specs to connection sets; named ports resolve on the destination workload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policylint.engine.connset import ALL, FULL, MAX_PORT, MIN_PORT, ConnSet, Intervals, merge
from policylint.model.policy import PortSpec, Protocol
from policylint.model.workload import Workload


@dataclass(frozen=True, slots=True)
class RulePorts:
    """A rule's ports split into the part every destination shares and the named part."""

    numeric: ConnSet
    named: tuple[tuple[str, Protocol], ...]

    def for_destination(self, workload: Workload | None) -> ConnSet:
        """The ports admitted towards `workload` (None: an external address, where names never match)."""
        if not self.named or workload is None:
            return self.numeric
        extra: dict[Protocol, list[tuple[int, int]]] = {}
        for name, protocol in self.named:
            number = workload.named_port(name, protocol)
            if number is not None:
                extra.setdefault(protocol, []).append((number, number))
        if not extra:
            return self.numeric
        return self.numeric | ConnSet({p: merge(iv) for p, iv in extra.items()})


ALL_PORTS = RulePorts(ALL, ())


def rule_ports(ports: Sequence[PortSpec] | None) -> RulePorts:
    """`ports` absent or empty admits every port and protocol (types.go NetworkPolicyIngressRule)."""
    if not ports:
        return ALL_PORTS
    numeric: dict[Protocol, list[tuple[int, int]]] = {}
    named: list[tuple[str, Protocol]] = []
    for spec in ports:
        if isinstance(spec.port, str):
            named.append((spec.port, spec.protocol))
            continue
        numeric.setdefault(spec.protocol, []).extend(_numeric_range(spec))
    merged: dict[Protocol, Intervals] = {p: merge(iv) for p, iv in numeric.items()}
    return RulePorts(ConnSet(merged), tuple(sorted(set(named), key=lambda t: (t[0], t[1].value))))


def _numeric_range(spec: PortSpec) -> Intervals:
    if spec.port is None:
        return FULL
    assert not isinstance(spec.port, str)
    lo = spec.port
    hi = spec.end_port if spec.end_port is not None else lo
    # Values the API server rejects (out of range, endPort < port) admit nothing here.
    if lo < MIN_PORT or hi > MAX_PORT or hi < lo:
        return ()
    return ((lo, hi),)
