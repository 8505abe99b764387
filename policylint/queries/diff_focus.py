"""--from/--to/--namespace/--port/--protocol for `policylint diff`.

The two sides have different workloads, so endpoints are matched by name rather than resolved
against one cluster: `ns/name`, `ns/Kind/name`, `ns/name[Kind]`, `ns:` (every workload of ns), a
CIDR or address (external ranges that overlap it), or `any`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace

from policylint.engine.connset import ConnSet
from policylint.queries.diff import ConnChange, Diff, DiffEndpoint, ExternalRange, WorkloadChange, WorkloadKey
from policylint.queries.diff_beyond import PossibleExposure
from policylint.queries.diff_statements import statements, workload_statements
from policylint.queries.endpoints import EndpointError
from policylint.queries.focus import PortItem, parse_ports, port_conns
from policylint.queries.impact import Impact

_NAME = re.compile(r"^(?P<ns>[^/:\[\]\s]+)/(?:(?P<kind>[A-Za-z]+)/)?(?P<name>[^/:\[\]\s]+)(?:\[(?P<k2>[A-Za-z]+)\])?$")


@dataclass(frozen=True, slots=True)
class NameMatch:
    text: str

    def __call__(self, e: DiffEndpoint) -> bool:
        t = self.text.strip()
        if t.lower() in ("any", "*"):
            return True
        if isinstance(e, ExternalRange):
            return _overlaps(t, e)
        if t.endswith(":") or t.endswith(":*"):
            return e.namespace == t.split(":", 1)[0]
        m = _NAME.match(t)
        if m is None:
            raise EndpointError(f"cannot read endpoint {t!r}: use ns/name, ns:, a CIDR or any")
        kind = m.group("kind") or m.group("k2")
        return (e.namespace, e.name) == (m.group("ns"), m.group("name")) and (
            kind is None or kind.lower() == e.kind.lower()
        )


def _overlaps(text: str, e: ExternalRange) -> bool:
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return any(net.version == n.version and net.overlaps(n) for n in map(ipaddress.ip_network, e.cidrs))


def _in_ns(e: DiffEndpoint, namespace: str) -> bool:
    return isinstance(e, WorkloadKey) and e.namespace == namespace


@dataclass(frozen=True, slots=True)
class DiffFocus:
    src: NameMatch | None = None
    dst: NameMatch | None = None
    namespace: str | None = None
    ports: tuple[PortItem, ...] | None = None

    @property
    def active(self) -> bool:
        return any(x is not None for x in (self.src, self.dst, self.namespace, self.ports))

    def cut(self, c: ConnChange) -> ConnChange | None:
        if self.namespace is not None and not (_in_ns(c.src, self.namespace) or _in_ns(c.dst, self.namespace)):
            return None
        if (self.src is not None and not self.src(c.src)) or (self.dst is not None and not self.dst(c.dst)):
            return None
        if self.ports is None:
            return c
        wanted = _ports_for(self.ports)
        out = replace(c, base=c.base & wanted, head=c.head & wanted)
        return out if out.base != out.head else None


    def keeps(self, x: PossibleExposure) -> bool:
        """A workload newly reachable from pods outside the input: its source is no named endpoint
        (only `any` matches it); with --port, the example port must be one of them."""
        if self.namespace is not None and x.workload.namespace != self.namespace:
            return False
        if self.src is not None and self.src.text.strip().lower() not in ("any", "*"):
            return False
        if self.dst is not None and not self.dst(x.workload):
            return False
        return self.ports is None or _ports_for(self.ports).contains(x.protocol, x.port)


def _ports_for(items: tuple[PortItem, ...]) -> ConnSet:
    # The diff has no workload objects to resolve a port name against: names keep nothing.
    return port_conns(items, None)


def make_diff_focus(
    src: str | None, dst: str | None, namespace: str | None, port: str | None, protocol: str | None
) -> DiffFocus:
    ports = parse_ports(port, protocol)
    return DiffFocus(
        NameMatch(src) if src else None, NameMatch(dst) if dst else None, namespace,
        tuple(ports) if ports is not None else None,
    )  # fmt: skip


def focus_diff(diff: Diff, focus: DiffFocus) -> Diff:
    """The diff with only the changes (and the connections of appeared/disappeared workloads) in focus."""

    def keep(changes: tuple[ConnChange, ...]) -> tuple[ConnChange, ...]:
        return tuple(x for x in (focus.cut(c) for c in changes) if x is not None)

    def workloads(ws: tuple[WorkloadChange, ...]) -> tuple[WorkloadChange, ...]:
        out = (replace(w, connections=keep(w.connections)) for w in ws)
        return tuple(w for w in out if w.connections or (focus.namespace in (None, w.workload.namespace)
                                                           and focus.ports is None))  # fmt: skip

    return replace(diff, changes=keep(diff.changes), appeared=workloads(diff.appeared),
                   disappeared=workloads(diff.disappeared))  # fmt: skip


def refocus(impact: Impact, focus: DiffFocus) -> Impact:
    """The impact over the focused diff; statements are regrouped concretely (no z3 proofs)."""
    diff = focus_diff(impact.diff, focus)
    workloads = {w.workload: workload_statements(diff, w) for w in (*diff.appeared, *diff.disappeared)}
    possible = tuple(x for x in impact.possible_exposures if focus.keeps(x))
    return replace(impact, diff=diff, said=statements(diff), workloads=workloads, possible_exposures=possible)
