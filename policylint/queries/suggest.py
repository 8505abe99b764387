"""Selection on labels alone and "did you mean" suggestions, for the selection rules (NP2xx/NP3xx).

`LabelView` answers "which workloads does this selector match?" on labels only: hostNetwork
workloads are included (the concrete Evaluator leaves them out by default, because most plugins
do not apply policies to them). A typo is a typo whoever it targets, and `hostnetwork-selected`
needs to see exactly the hostNetwork workloads a selector names. Results are bitsets over
`cluster.workloads` (the Evaluator's numbering) and are cached per selector by the index.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from policylint.engine.bitset import bit_indices
from policylint.engine.cidr import AddressSpace
from policylint.engine.index import ClusterIndex
from policylint.findings import NO_SPAN, Span, close_match
from policylint.model.build_controller_labels import CONTROLLER_SET
from policylint.model.cluster import Cluster
from policylint.model.policy import Direction, IPBlock, NetworkPolicy, Peer, Protocol, Rule
from policylint.model.selector import LabelSelector, Operator

LabelPool = Mapping[str, Collection[str]]  # label key -> the values it takes


@dataclass(frozen=True, slots=True)
class PeerMatch:
    """What a selector peer matches on labels: namespaces and workloads (bitsets)."""

    namespaces: int
    pods: int
    known_pods: int  # every workload of the matched namespaces (the pool the podSelector searched)


class LabelView:
    """Label-only selection over one cluster; build it once per lint run (`ctx.shared(KEY, ...)`)."""

    KEY = "queries.suggest.LabelView"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        workloads = cluster.workloads
        self.index = ClusterIndex(
            [w.labels for w in workloads],
            [w.namespace for w in workloads],
            [ns.name for ns in cluster.namespaces],
            [ns.labels for ns in cluster.namespaces],
            (1 << len(workloads)) - 1,
        )
        self.host_network = sum(1 << i for i, w in enumerate(workloads) if w.host_network)
        self._pools: dict[str, dict[str, set[str]]] | None = None
        self._port_names: dict[tuple[str, Protocol], int] | None = None
        self.namespace_pool: dict[str, set[str]] = pool_of(ns.labels for ns in cluster.namespaces)
        self.defined_namespaces = {ns.name for ns in cluster.namespaces if ns.span is not None}

    def in_namespace(self, namespace: str) -> int:
        return self.index.in_namespace(namespace)

    def policy_pods(self, policy: NetworkPolicy) -> int:
        """Workloads `spec.podSelector` matches in the policy's namespace, hostNetwork included."""
        return self.index.pods_in(policy.namespace, policy.pod_selector)

    def peer_match(self, policy: NetworkPolicy, peer: Peer) -> PeerMatch | None:
        """Namespaces and workloads a selector peer matches; None for ipBlock or empty peers."""
        if peer.ip_block is not None or (peer.pod_selector is None and peer.namespace_selector is None):
            return None
        if peer.namespace_selector is None:
            ns_bits = 1 << self.index.namespace_pos[policy.namespace]
        else:
            ns_bits = self.index.namespaces.select(peer.namespace_selector)
        known = self.index.members_of(ns_bits)
        pods = known if peer.pod_selector is None else known & self.index.pods.select(peer.pod_selector)
        return PeerMatch(ns_bits, pods, known)

    def selector_pods(self, namespace: str, labels: Mapping[str, str]) -> int:
        """Workloads of `namespace` carrying all of `labels` (a Service selector)."""
        return self.index.pods_in(namespace, LabelSelector(tuple(sorted(labels.items()))))

    def pod_pool(self, namespaces: int) -> dict[str, set[str]]:
        """Labels of the workloads in the namespaces `namespaces` (bitset), for suggestions."""
        if self._pools is None:
            self._pools = {}
            for w in self.cluster.workloads:
                pool = self._pools.setdefault(w.namespace, {})
                for k, v in w.labels.items():
                    if v != CONTROLLER_SET:  # a placeholder, not a value to suggest
                        pool.setdefault(k, set()).add(v)
        out: dict[str, set[str]] = {}
        for i in bit_indices(namespaces):
            for k, values in self._pools.get(self.index.namespace_names[i], {}).items():
                out.setdefault(k, set()).update(values)
        return out

    def defining(self, name: str, protocol: Protocol) -> int:
        """Workloads with a container port named `name` for `protocol`."""
        if self._port_names is None:
            self._port_names = {}
            for i, w in enumerate(self.cluster.workloads):
                for p in w.ports:
                    if p.name:
                        key = (p.name, p.protocol)
                        self._port_names[key] = self._port_names.get(key, 0) | (1 << i)
        return self._port_names.get((name, protocol), 0)

    def refs(self, pods: int, limit: int = 3) -> str:
        """Up to `limit` workload refs, for messages."""
        idx = bit_indices(pods)
        names = [self.cluster.workloads[i].ref for i in idx[:limit]]
        more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
        return ", ".join(names) + more


def pool_of(labels: Iterable[Mapping[str, str]]) -> dict[str, set[str]]:
    """Label key -> the set of values it takes across `labels`."""
    out: dict[str, set[str]] = {}
    for lab in labels:
        for k, v in lab.items():
            out.setdefault(k, set()).add(v)
    return out


def edits(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions turning `a` into `b`."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def closest(word: str, candidates: Collection[str], max_edits: int | None = None) -> str | None:
    """The candidate nearest to `word` (difflib ratio >= 0.6), if any; with `max_edits`, only one
    that few edits away (a typo, not a related name: `prometheus` is not `prometheus-adapter`)."""
    found = close_match(word, candidates)
    if found and max_edits is not None and edits(word, found) > max_edits:
        return None
    return found


def pair_hint(key: str, value: str, pool: LabelPool, max_edits: int | None = None) -> str | None:
    """A nearby existing `key: value` for a pair that matches nothing, or None."""
    values = pool.get(key)
    if values is not None:
        if value in values:
            return None
        near = closest(value, values, max_edits)
        return f"`{key}: {near}`" if near else None
    near_key = closest(key, pool, max_edits)
    if near_key is not None:
        near = value if value in pool[near_key] else closest(value, pool[near_key], max_edits)
        return f"`{near_key}: {near}`" if near else f"`{near_key}`"
    for other in sorted(pool):
        if value in pool[other]:
            return f"`{other}: {value}`"
    return None


def did_you_mean(selector: LabelSelector, pool: LabelPool, max_edits: int | None = None) -> str:
    """'; did you mean `app: frontend`?' for the first term of `selector` with a near miss, else ''.
    `max_edits` keeps only typos (see `closest`)."""
    for key, value in selector.match_labels:
        hint = pair_hint(key, value, pool, max_edits)
        if hint:
            return f"; did you mean {hint}?"
    for req in selector.match_expressions:
        if req.operator is Operator.IN:
            for value in req.values:
                hint = pair_hint(req.key, value, pool, max_edits)
                if hint:
                    return f"; did you mean {hint}?"
        elif req.operator is Operator.EXISTS and req.key not in pool:
            near = closest(req.key, pool, max_edits)
            if near:
                return f"; did you mean `{near}`?"
    return ""


def describe_rule(policy: NetworkPolicy, rule: Rule) -> str:
    """'shop/api ingress rule 2', as every rule message names it."""
    return f"{policy.ref} {rule.direction.value.lower()} rule {rule.index + 1}"


def span_or(span: Span | None, fallback: Span) -> Span:
    """`span` when the loader recorded it, else `fallback` (a finding must always have a location)."""
    return fallback if span is None or span == NO_SPAN else span


def selects_every_pod(peer: Peer) -> bool:
    """`namespaceSelector: {}` with no podSelector or an empty one: every pod of every namespace."""
    ns, pods = peer.namespace_selector, peer.pod_selector
    return peer.ip_block is None and ns is not None and ns.is_empty and (pods is None or pods.is_empty)


def whole_families(blocks: Sequence[IPBlock]) -> list[str]:
    """The IP families ('IPv4', 'IPv6') whose every address the ipBlocks (minus excepts) cover together."""
    if not blocks:
        return []
    space = AddressSpace(blocks)
    covered = 0
    for block in blocks:
        covered |= space.block_atoms(block)
    out = []
    for family, name in ((4, "IPv4"), (6, "IPv6")):
        mask = sum(1 << i for i, atom in enumerate(space.atoms) if atom.family == family)
        if covered & mask == mask:
            out.append(name)
    return out


def admits_everyone(rule: Rule, ipblocks_match_pods: bool = False) -> str | None:
    """Why `rule` admits every peer, external addresses included, or None when it does not.

    True when from/to is absent or empty, or when its peers cover every pod of every namespace
    (`namespaceSelector: {}`) and every address of at least one IP family (0.0.0.0/0 or ::/0 with
    no except, or blocks that add up to it: a single-stack cluster has no other addresses). When
    ipBlocks are assumed to match pod addresses, a whole family covers the pods too.
    """
    field = "from" if rule.direction is Direction.INGRESS else "to"
    if rule.peers is None:
        return f"it has no `{field}`"
    if not rule.peers:
        return f"its `{field}` is empty"
    families = whole_families([p.ip_block for p in rule.peers if p.ip_block is not None])
    every_pod = any(selects_every_pod(p) for p in rule.peers)
    if families and (every_pod or ipblocks_match_pods):
        pods = "namespaceSelector {} and " if every_pod else ""
        return f"its peers cover every pod and address ({pods}ipBlocks covering all of {' and '.join(families)})"
    return None


def ports_text(rule: Rule) -> str:
    """'on every port' or 'on ports 80/TCP, 443/TCP'."""
    if not rule.ports:
        return "on every port"
    parts = []
    for spec in rule.ports:
        port = "all" if spec.port is None else str(spec.port)
        if spec.end_port is not None:
            port += f"-{spec.end_port}"
        parts.append(f"{port}/{spec.protocol.value}")
    return "on port" + ("s " if len(parts) > 1 else " ") + ", ".join(parts)


def only_ports(rule: Rule, numbers: Collection[int]) -> bool:
    """Every port of `rule` is a single number among `numbers` (a rule without ports never is)."""
    return bool(rule.ports) and all(
        isinstance(p.port, int) and p.end_port is None and p.port in numbers for p in rule.ports or ()
    )


def open_to_everyone(
    policy: NetworkPolicy, direction: Direction, exempt_ports: Collection[int], ipblocks_match_pods: bool
) -> Iterator[tuple[Rule, str]]:
    """The rules of `policy` in `direction` that admit every peer on some port not exempt, each with why."""
    for rule in policy.rules(direction):
        why = admits_everyone(rule, ipblocks_match_pods)
        if why and not only_ports(rule, exempt_ports):
            yield rule, why
