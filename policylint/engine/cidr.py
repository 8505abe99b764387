"""ipBlock arithmetic: the external address space cut into atoms at every ipBlock boundary."""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.model.policy import IPBlock, IPNetwork

FAMILY_BITS = {4: 32, 6: 128}


@dataclass(frozen=True, slots=True)
class Atom:
    family: int  # 4 or 6
    first: int
    last: int


def _range(net: IPNetwork) -> tuple[int, int, int]:
    return net.version, int(net.network_address), int(net.broadcast_address)


class AddressSpace:
    """Every address outside the cluster belongs to exactly one atom; no ipBlock splits an atom."""

    def __init__(self, blocks: Iterable[IPBlock]) -> None:
        cuts: dict[int, set[int]] = {4: {0}, 6: {0}}
        for block in blocks:
            for net in (block.network, *block.except_networks):
                if net is not None:
                    fam, lo, hi = _range(net)
                    cuts[fam].update((lo, hi + 1))
        self.atoms: list[Atom] = []
        self._starts: dict[int, list[int]] = {}
        self._offset: dict[int, int] = {}
        for fam in (4, 6):
            top = 1 << FAMILY_BITS[fam]
            starts = sorted(c for c in cuts[fam] if c < top)
            self._offset[fam] = len(self.atoms)
            self._starts[fam] = starts
            for i, lo in enumerate(starts):
                hi = starts[i + 1] - 1 if i + 1 < len(starts) else top - 1
                self.atoms.append(Atom(fam, lo, hi))
        self.all = (1 << len(self.atoms)) - 1
        self._cache: dict[tuple[IPNetwork | None, tuple[IPNetwork | None, ...]], int] = {}

    def _net_atoms(self, net: IPNetwork) -> int:
        fam, lo, hi = _range(net)
        starts = self._starts[fam]
        first = bisect.bisect_left(starts, lo)
        last = bisect.bisect_right(starts, hi)  # atoms first..last-1 start inside the net
        off = self._offset[fam]
        return ((1 << (last - first)) - 1) << (off + first)

    def block_atoms(self, block: IPBlock) -> int:
        """Atoms in cidr minus excepts; an unparsable cidr matches nothing."""
        key = (block.network, block.except_networks)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = 0
        if block.network is not None:
            result = self._net_atoms(block.network)
            for ex in block.except_networks:
                if ex is not None and ex.version == block.network.version:
                    result &= ~self._net_atoms(ex)
        self._cache[key] = result
        return result

    def atom_of(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int:
        fam = address.version
        pos = bisect.bisect_right(self._starts[fam], int(address)) - 1
        return self._offset[fam] + pos

    def address(self, atom: int) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """The first address of an atom (every address of an atom is matched alike)."""
        a = self.atoms[atom]
        return ipaddress.IPv4Address(a.first) if a.family == 4 else ipaddress.IPv6Address(a.first)

    def cidrs(self, atom_bits: int) -> list[str]:
        """The atoms as a minimal list of CIDRs, merging adjacent atoms."""
        out: list[str] = []
        for fam, lo, hi in self.ranges(atom_bits):
            cls = ipaddress.IPv4Address if fam == 4 else ipaddress.IPv6Address
            out.extend(str(n) for n in ipaddress.summarize_address_range(cls(lo), cls(hi)))
        return out

    def ranges(self, atom_bits: int) -> list[tuple[int, int, int]]:
        merged: list[tuple[int, int, int]] = []
        for i in bit_indices(atom_bits):
            a = self.atoms[i]
            if merged and merged[-1][0] == a.family and merged[-1][2] + 1 == a.first:
                merged[-1] = (a.family, merged[-1][1], a.last)
            else:
                merged.append((a.family, a.first, a.last))
        return merged

    def range_text(self, atom_bits: int) -> str:
        """CIDRs when they are few (`0.0.0.0/0,::/0`), else first-last ranges."""
        cidrs = self.cidrs(atom_bits)
        if len(cidrs) <= 4:
            return ",".join(cidrs)
        parts = []
        for fam, lo, hi in self.ranges(atom_bits):
            cls = ipaddress.IPv4Address if fam == 4 else ipaddress.IPv6Address
            parts.append(f"{cls(lo)}-{cls(hi)}")
        return ",".join(parts)
