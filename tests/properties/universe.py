"""The finite universe of flows the differential tests enumerate."""

from __future__ import annotations

import ipaddress

from policylint.engine.flow import Endpoint, IPAddress
from policylint.model import Cluster

OUTSIDE = (ipaddress.ip_address("192.168.7.7"), ipaddress.ip_address("2001:db8::7"))
REPRESENTATIVE_PORTS = (1, 52, 53, 54, 80, 443, 444, 5432, 8080, 8081, 65535)


def representative_addresses(cluster: Cluster) -> list[IPAddress]:
    """Every ipBlock and except edge (first, last, and the neighbours just outside), plus one
    address outside every block per family."""
    found: set[IPAddress] = set(OUTSIDE)
    for pol in cluster.policies:
        for rule in (pol.ingress or ()) + (pol.egress or ()):
            for peer in rule.peers or ():
                block = peer.ip_block
                if block is None:
                    continue
                for net in (block.network, *block.except_networks):
                    if net is None:
                        continue
                    lo, hi, top = int(net.network_address), int(net.broadcast_address), 2**net.max_prefixlen
                    cls = type(net.network_address)
                    found.update(cls(a) for a in (lo - 1, lo, hi, hi + 1) if 0 <= a < top)
    return sorted(found, key=lambda a: (a.version, int(a)))


def endpoint_pairs(cluster: Cluster) -> list[tuple[Endpoint, Endpoint]]:
    """workloads x workloads, and workloads x addresses both ways (address to address is no
    policy's business)."""
    pods: list[Endpoint] = list(range(len(cluster.workloads)))
    addresses: list[Endpoint] = list(representative_addresses(cluster))
    pairs = [(s, d) for s in pods for d in pods]
    pairs += [(p, a) for p in pods for a in addresses] + [(a, p) for a in addresses for p in pods]
    return pairs

# z3's default per-question timeout (5 s) is for users; on a loaded CI machine a hard generated
# example can pass it and come back undecided, which these tests would read as a disagreement.
SLOW_MACHINE_TIMEOUT_MS = 120_000
