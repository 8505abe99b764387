"""z3 variables for one endpoint of a flow, over the finite vocabulary a cluster mentions."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import z3

from policylint.model import NAMESPACE_NAME_LABEL, Cluster, Direction, LabelSelector, NetworkPolicy, PortSpec, Protocol
from policylint.model.rule_form import PodScope
from policylint.model.selector import NEGATED_STRING_OPERATORS, STRING_OPERATORS

Z = Any  # z3 ships no type stubs: every z3 term is typed `Z`, and `Z` never leaves engine/smt
NAME = NAMESPACE_NAME_LABEL
PortName = tuple[str, Protocol]
MAX_LABEL_VALUE = 63


def policy_selectors(policy: NetworkPolicy, direction: Direction | None = None) -> list[LabelSelector]:
    """The selectors of a policy: its podSelector and its rules' peers (of `direction` only, as
    written, when given)."""
    rules = (policy.ingress or ()) + (policy.egress or ())
    out = [policy.pod_selector]
    for rule in rules:
        if direction is None or rule.direction is direction:
            for peer in rule.peers or ():
                out += [s for s in (peer.pod_selector, peer.namespace_selector) if s is not None]
    return out


def tier_selectors(cluster: Cluster) -> list[LabelSelector]:
    out: list[LabelSelector] = []
    for scope in _tier_scopes(cluster):
        out += [s for s in (scope.pods, scope.namespace_selector) if s is not None]
        if scope.namespace is not None:
            out.append(LabelSelector(match_labels=((NAME, scope.namespace),)))
    return out


def cluster_selectors(cluster: Cluster) -> list[LabelSelector]:
    return [s for p in cluster.policies for s in policy_selectors(p)] + tier_selectors(cluster)


def _tier_scopes(cluster: Cluster) -> list[PodScope]:
    out: list[PodScope] = []
    for tier in cluster.tiers:
        for pol in tier.policies:
            out.extend(pol.subject)
            for rule in pol.rules:
                for m in rule.peers:
                    out.extend(s for s in (m.pods, m.not_pods) if s is not None)
    return out


def _port_specs(cluster: Cluster) -> list[PortSpec]:
    specs = [s for p in cluster.policies for r in (p.ingress or ()) + (p.egress or ()) for s in r.ports or ()]
    for tier in cluster.tiers:
        for pol in tier.policies:
            for rule in pol.rules:
                specs.extend((*(rule.ports or ()), *rule.not_ports))
    return specs


Namespaces = frozenset[str] | None  # the namespaces a side of a flow may lie in; None: any


class Vocabulary:
    """What every universe of one cluster shares, read once: the known namespaces and their labels,
    the label values workloads carry, the named ports, and which selectors each namespace's policies
    test per direction. `universe` then builds the universe of any set of selectors without another
    pass over the cluster."""

    def __init__(self, cluster: Cluster) -> None:
        known = {ns.name: {**ns.labels, NAME: ns.name} for ns in cluster.namespace_index.values()}
        known.update({ns.name: {**ns.labels, NAME: ns.name} for ns in cluster.namespaces})
        self.namespaces = dict(sorted(known.items()))
        self.carried: dict[str, set[str]] = {}  # key -> the values namespaces and workloads carry
        for labels in [*known.values(), *(w.labels for w in cluster.workloads)]:
            for k, v in labels.items():
                self.carried.setdefault(k, set()).add(v)
        specs = _port_specs(cluster)
        self.port_names = tuple(sorted({(s.port, s.protocol) for s in specs if isinstance(s.port, str)}, key=str))
        self.tiers = tier_selectors(cluster)
        self._policies = cluster.policies
        self._sides: dict[tuple[Direction, Namespaces], list[LabelSelector]] = {}

    def side(self, direction: Direction, namespaces: Namespaces) -> list[LabelSelector]:
        """The selectors the policies isolating `direction` in `namespaces` test (what `Encoder.side`
        encodes for an endpoint confined to them)."""
        key = (direction, namespaces)
        out = self._sides.get(key)
        if out is None:
            out = self._sides[key] = [
                s for p in self._policies
                if p.isolates(direction) and (namespaces is None or p.namespace in namespaces)
                for s in policy_selectors(p, direction)
            ]  # fmt: skip
        return out

    def key_count(self, selectors: Iterable[LabelSelector]) -> int:
        """How many keys the universe of these selectors has, without building it."""
        keys = {NAME}
        for sel in selectors:
            keys.update(k for k, _ in sel.match_labels)
            keys.update(r.key for r in sel.match_expressions)
        return len(keys)

    def fixed_size(self, keys: int) -> int:
        """About the terms the variables and the axioms of both ends of a flow take in a universe
        of `keys` keys (string keys aside)."""
        return variables_size(keys, len(self.port_names)) + 2 * _plain_axioms_size(keys, self.namespaces)

    def universe(self, selectors: Iterable[LabelSelector]) -> Universe:
        """The universe of these selectors: only the keys they test (a key nobody tests cannot
        change an answer, and a pod with thousands of labels must not multiply every formula,
        issue 17), with every value they name and every value a namespace or workload carries."""
        seen: dict[str, set[str]] = {NAME: set()}
        texts: dict[str, set[str]] = {}
        for sel in selectors:
            for k, v in sel.match_labels:
                seen.setdefault(k, set()).add(v)
            for r in sel.match_expressions:
                seen.setdefault(r.key, set()).update(r.values)
                if r.operator in STRING_OPERATORS or r.operator in NEGATED_STRING_OPERATORS:
                    texts.setdefault(r.key, set()).update(t for t in r.values if t)
        for k, vs in seen.items():
            vs.update(self.carried.get(k, ()))
        values = {k: tuple(sorted(vs)) for k, vs in sorted(seen.items())}
        index = {(k, v): i for k, vs in values.items() for i, v in enumerate(vs)}
        strings = {k: tuple(sorted(t)) for k, t in texts.items()}
        return Universe(values, self.namespaces, self.port_names, index, strings)


@dataclass(frozen=True)
class Universe:
    """Keys, values and port names some selectors mention. Every value no one mentions behaves the
    same, so one extra index per key ("other") stands for all of them: answers cover ALL pods."""

    values: dict[str, tuple[str, ...]]
    namespaces: dict[str, dict[str, str]]  # known namespaces and their (fixed) labels
    port_names: tuple[PortName, ...]  # (name, protocol) pairs named ports are looked up by
    _index: dict[tuple[str, str], int] = field(default_factory=dict)
    # key -> the (non-empty) texts Calico string operators test it with: "other" values contain none
    texts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @staticmethod
    def of(cluster: Cluster, extra: Iterable[LabelSelector] = ()) -> Universe:
        """The universe of every selector of the cluster (and `extra`)."""
        return Vocabulary(cluster).universe([*cluster_selectors(cluster), *extra])

    @property
    def strings(self) -> tuple[str, ...]:
        """Keys string operators test, whose "other" values are strings of their own (z3 strings):
        values nobody mentions differ there. Not the namespace name, which has two "other" indices."""
        return tuple(k for k in self.texts if k != NAME)

    def knows(self, key: str, value: str) -> bool:
        return (key, value) in self._index

    def covers(self, selectors: Iterable[LabelSelector]) -> bool:
        """Every key and value the selectors mention is already in this universe."""
        for s in selectors:
            if not all((k, v) in self._index for k, v in s.match_labels):
                return False
            for r in s.match_expressions:
                if r.key not in self.values or not all((r.key, v) in self._index for v in r.values):
                    return False
        return True

    def index(self, key: str, value: str) -> int:
        return self._index[(key, value)]

    def top(self, key: str) -> int:
        """Largest value index: after the mentioned values come "other" values; namespace names
        get two, so two new namespaces (say of src and dst) can differ."""
        return len(self.values[key]) + (1 if key == NAME else 0)

    def value(self, key: str, i: int) -> str:
        """The label value for index `i`; "other" indices become values nobody mentions, which
        the encoding takes to fail every string operator on the key (encode.py,
        `string_requirement`): so they contain none of its texts."""
        vs = self.values[key]
        if i < len(vs):
            return vs[i]
        return self._fresh(key)[i - len(vs)]

    def _fresh(self, key: str) -> list[str]:
        """Two values of `key` that no selector mentions and that contain no string-operator text."""
        vs, texts = set(self.values[key]), self.texts.get(key, ())
        # A value made of one character that no text holds contains no text (each has another).
        spare = [c for c in "xyzqjkvw0123456789abcdefghilmnoprstu" if not any(c in t for t in texts)]
        words = [f"other{n}" for n in range(len(vs) + 2)]
        words += [c * n for c in spare[:1] for n in range(1, len(vs) + 3)]
        unused = [w for w in words if w not in vs]
        # Past 36 one-character texts no value fails them all: then the witness's concrete re-check says so.
        return ([w for w in unused if not any(t in w for t in texts)] + unused)[:2]


@dataclass
class Endpoint:
    """One end of a flow: an external address (ext) or a pod with namespace labels, pod labels,
    hostNetwork and a named-port table. `known` is the workload index when bound to one."""

    ext: Z
    v6: Z
    ip4: Z
    ip6: Z
    host: Z
    ns_has: dict[str, Z]
    ns_val: dict[str, Z]
    has: dict[str, Z]
    val: dict[str, Z]
    np_has: dict[PortName, Z]
    np_port: dict[PortName, Z]
    known: int | None = None
    # The value of an "other" index as a string, for the keys string operators test (`Universe.strings`)
    text: dict[str, Z] = field(default_factory=dict)
    ns_text: dict[str, Z] = field(default_factory=dict)


def fresh_endpoint(ctx: Z, u: Universe, prefix: str) -> Endpoint:
    def b(name: str) -> Z:
        return z3.Bool(f"{prefix}.{name}", ctx)

    def i(name: str) -> Z:
        return z3.Int(f"{prefix}.{name}", ctx)

    return Endpoint(
        ext=b("ext"),
        v6=b("v6"),
        ip4=z3.BitVec(f"{prefix}.ip4", 32, ctx),
        ip6=z3.BitVec(f"{prefix}.ip6", 128, ctx),
        host=b("hostNetwork"),
        ns_has={k: b(f"ns.has[{k}]") for k in u.values},
        ns_val={k: i(f"ns.val[{k}]") for k in u.values},
        has={k: b(f"has[{k}]") for k in u.values},
        val={k: i(f"val[{k}]") for k in u.values},
        np_has={n: b(f"np.has[{n[0]}/{n[1].value}]") for n in u.port_names},
        np_port={n: z3.BitVec(f"np.port[{n[0]}/{n[1].value}]", 16, ctx) for n in u.port_names},
        text={k: z3.String(f"{prefix}.text[{k}]", ctx) for k in u.strings},
        ns_text={k: z3.String(f"{prefix}.ns.text[{k}]", ctx) for k in u.strings},
    )


def pod_axioms(ep: Endpoint, u: Universe) -> list[Z]:
    """What every pod satisfies: values in range, a namespace with its name label whose labels are
    fixed when it is a known namespace, valid container port numbers, names unique in the pod."""
    out = [ep.ns_has[NAME]]
    for k in u.values:
        top = u.top(k)
        out += [ep.val[k] >= 0, ep.val[k] <= top, ep.ns_val[k] >= 0, ep.ns_val[k] <= top]
    for k in u.strings:
        out += [other_value(ep.text[k], ep.val[k], u, k), other_value(ep.ns_text[k], ep.ns_val[k], u, k)]
    out += namespace_facts(ep, u)
    out += [p != 0 for p in ep.np_port.values()]
    for name in sorted({n for n, _ in u.port_names}):  # sorted: same input, same formula, same witness
        bound = [ep.np_has[n] for n in u.port_names if n[0] == name]
        if len(bound) > 1:
            out.append(z3.AtMost(*bound, 1))
    return out


def other_value(text: Z, val: Z, u: Universe, key: str) -> Z:
    """An "other" index stands for a valid label value that the universe does not hold."""
    vs = u.values[key]
    ctx = text.ctx
    valid = [z3.InRe(text, _label_value(ctx)), z3.Length(text) <= MAX_LABEL_VALUE]
    return z3.Implies(val >= len(vs), z3.And(*valid, *[text != z3.StringVal(v, ctx) for v in vs]))


def _label_value(ctx: Z) -> Z:
    """(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?, the syntax of a label value
    (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set)."""
    alnum = z3.Union(z3.Range("a", "z", ctx=ctx), z3.Range("A", "Z", ctx=ctx), z3.Range("0", "9", ctx=ctx))
    inner = z3.Union(alnum, *[z3.Re(z3.StringVal(c, ctx)) for c in "-_."])
    return z3.Option(z3.Concat(alnum, z3.Option(z3.Concat(z3.Star(inner), alnum))))


def namespace_facts(ep: Endpoint, u: Universe) -> list[Z]:
    """A known namespace has exactly its labels. Said per label and per key, not per namespace x
    key, so the size is linear in the input: a key is present only in a namespace that has it, or
    in a namespace no manifest defines."""
    name = ep.ns_val[NAME]
    is_name = {n: name == u.index(NAME, n) for n in u.namespaces}
    unknown = z3.Not(z3.Or(*is_name.values())) if is_name else z3.BoolVal(True, name.ctx)
    having: dict[str, list[Z]] = {k: [] for k in u.values if k != NAME}
    out = []
    for n, labels in u.namespaces.items():
        facts = [z3.And(ep.ns_has[k], ep.ns_val[k] == u.index(k, v)) for k, v in labels.items() if k in having]
        if facts:
            out.append(z3.Implies(is_name[n], z3.And(*facts)))
        for k in labels:
            if k in having:
                having[k].append(is_name[n])
    out += [z3.Implies(ep.ns_has[k], z3.Or(unknown, *names)) for k, names in having.items()]
    return out


def axioms_size(u: Universe) -> int:
    """About how many terms `pod_axioms` builds (for the encoding budget)."""
    strings = sum(2 * (4 + len(u.values[k])) for k in u.strings)
    return _plain_axioms_size(len(u.values), u.namespaces) + strings


def _plain_axioms_size(keys: int, namespaces: dict[str, dict[str, str]]) -> int:
    return 6 * keys + sum(len(labels) for labels in namespaces.values()) + 2 * len(namespaces)


def variables_size(keys: int, port_names: int) -> int:
    """The terms `fresh_endpoint` makes for both ends of a flow."""
    return 2 * (4 * keys + 2 * port_names + 5)


def label_facts(has: dict[str, Z], val: dict[str, Z], u: Universe, labels: dict[str, str]) -> Z:
    """Constrain symbolic labels to exactly `labels` (restricted to the keys that matter)."""
    terms = []
    for k in u.values:
        if k in labels:
            terms += [has[k], val[k] == u.index(k, labels[k])]
        else:
            terms.append(z3.Not(has[k]))
    return z3.And(*terms)  # never empty: the namespace name key is always in the universe


def in_network(ep: Endpoint, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> Z:
    """ep is an address of net's family inside net (prefix compare, so /0 is the whole family)."""
    bits, ip, fam = (32, ep.ip4, z3.Not(ep.v6)) if net.version == 4 else (128, ep.ip6, ep.v6)
    if net.prefixlen == 0:
        return fam
    hi = bits - net.prefixlen
    prefix = int(net.network_address) >> hi
    return z3.And(fam, z3.Extract(bits - 1, hi, ip) == z3.BitVecVal(prefix, net.prefixlen, ip.ctx))


def same_namespace_same_labels(a: Endpoint, b: Endpoint) -> Z:
    """Two pods in one namespace see the same namespace labels."""
    same = [z3.And(a.ns_has[k] == b.ns_has[k], a.ns_val[k] == b.ns_val[k]) for k in a.ns_has]
    same += [a.ns_text[k] == b.ns_text[k] for k in a.ns_text]
    return z3.Implies(a.ns_val[NAME] == b.ns_val[NAME], z3.And(*same))
