"""Ways in from outside that a change opens or closes: `exposure` on both sides, compared.

An entry path is keyed by workload, entry (kind, namespace, name) and client ranges; it is new
when HEAD reaches target ports through it that BASE did not (the gained ports are reported),
and gone when BASE reached ports HEAD no longer does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from policylint.engine.connset import NONE, ConnSet
from policylint.engine.flow import Assumptions
from policylint.model.cluster import Cluster
from policylint.queries.exposure import Exposure, exposure

Key = tuple[str, str, str, str, str, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class EntryChanges:
    opened: list[Exposure] = field(default_factory=list)  # conns = the target ports newly reached
    closed: list[Exposure] = field(default_factory=list)  # conns = the target ports no longer reached

    @property
    def empty(self) -> bool:
        return not self.opened and not self.closed


def _key(e: Exposure) -> Key:
    w, en = e.workload, e.entry
    return (w.namespace, w.name, w.kind, en.kind, en.namespace, en.name, e.sources)


def _reached(exposures: list[Exposure]) -> dict[Key, tuple[Exposure, ConnSet]]:
    out: dict[Key, tuple[Exposure, ConnSet]] = {}
    for e in exposures:
        k = _key(e)
        prev = out.get(k)
        out[k] = (e, (prev[1] if prev else NONE) | e.conns)
    return out


def entry_changes(base: Cluster, head: Cluster, assumptions: Assumptions | None = None) -> EntryChanges:
    if not (_has_entries(base) or _has_entries(head)):
        return EntryChanges()
    old = _reached(exposure(base, assumptions).exposures)
    new = _reached(exposure(head, assumptions).exposures)
    opened = [replace(e, conns=conns - old.get(k, (e, NONE))[1], blocked=NONE)
              for k, (e, conns) in sorted(new.items()) if conns - old.get(k, (e, NONE))[1]]  # fmt: skip
    closed = [replace(e, conns=conns - new.get(k, (e, NONE))[1], blocked=NONE)
              for k, (e, conns) in sorted(old.items()) if conns - new.get(k, (e, NONE))[1]]  # fmt: skip
    return EntryChanges(opened, closed)


def _has_entries(c: Cluster) -> bool:
    if c.entries.entries:
        return True
    if any(s.type in ("LoadBalancer", "NodePort") or s.external_ips for s in c.services):
        return True
    return any(w.host_network or any(p.host_port for p in w.ports) for w in c.workloads)


def describe(e: Exposure) -> str:
    """One line: `shop/web[Deployment] via LoadBalancer Service shop/web from 0.0.0.0/0,::/0 : TCP 8080`."""
    w, en = e.workload, e.entry
    kind = f"{en.service_type} Service" if en.service_type else en.kind
    hosts = f" ({', '.join(e.hostnames)})" if e.hostnames else ""
    where = f"{kind} {en.namespace}/{en.name}{hosts}"
    return f"{w.namespace}/{w.name}[{w.kind}] via {where} from {','.join(e.sources)} : {e.conns}"
