"""Layered verdicts: the concrete tier walk and the SMT if-then-else agree on every flow of the
finite universe, for generated tiers of every Combine kind (tier_strategies.py); SMT witnesses
are confirmed concretely; NetworkPolicy compiled into a tier means what native NetworkPolicy means.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import clusters
from tier_strategies import tiered_clusters
from universe import REPRESENTATIVE_PORTS, SLOW_MACHINE_TIMEOUT_MS, endpoint_pairs, representative_addresses

from policylint.engine.concrete import Evaluator
from policylint.engine.flow import Assumptions, Endpoint, Flow, IPAddress
from policylint.engine.smt import AnyEndpoint, EndpointSpec, Pods, SmtEngine, Undecided, verify_witness
from policylint.model import PROTOCOLS, Cluster
from policylint.model.compile_network_policy import network_policy_tier

assumptions = st.builds(Assumptions, host_network_selectable=st.booleans())


def _tier_addresses(cluster: Cluster) -> list[IPAddress]:
    found: set[IPAddress] = set(representative_addresses(cluster))
    for tier in cluster.tiers:
        for pol in tier.policies:
            for rule in pol.rules:
                for m in rule.peers:
                    for block in (*(m.networks or ()), *(m.not_networks or ())):
                        for net in (block.network, *block.except_networks):
                            if net is None:
                                continue
                            lo, hi, top = int(net.network_address), int(net.broadcast_address), 2**net.max_prefixlen
                            cls = type(net.network_address)
                            found.update(cls(a) for a in (lo - 1, lo, hi, hi + 1) if 0 <= a < top)
    return sorted(found, key=lambda a: (a.version, int(a)))


def pairs(cluster: Cluster) -> list[tuple[Endpoint, Endpoint]]:
    pods: list[Endpoint] = list(range(len(cluster.workloads)))
    addresses: list[Endpoint] = list(_tier_addresses(cluster))
    return [(s, d) for s in pods for d in pods] + [(p, a) for p in pods for a in addresses] + [
        (a, p) for a in addresses for p in pods]


def _describe(cluster: Cluster) -> str:
    return "\n".join(repr(x) for x in (*cluster.namespaces, *cluster.workloads, *cluster.policies, *cluster.tiers))


@settings(max_examples=30)
@given(tiered_clusters(), assumptions)
def test_engines_agree_on_every_flow_with_tiers(cluster: Cluster, assume: Assumptions) -> None:
    concrete, smt = Evaluator(cluster, assume), SmtEngine(cluster, assume, timeout_ms=10_000)
    for src, dst in pairs(cluster):
        conns = concrete.allowed_conns(src, dst)
        mismatch = smt.conns_mismatch(src, dst, conns)
        assert not isinstance(mismatch, Undecided), mismatch
        assert mismatch is None, f"{src} -> {dst}: concrete {conns}, smt differs at {mismatch}\n{_describe(cluster)}"
        for protocol in PROTOCOLS:  # the verdict (with its decision record) agrees with allowed_conns
            for port in REPRESENTATIVE_PORTS[::3]:
                allowed = concrete.verdict(Flow(src, dst, protocol, port)).allowed
                assert allowed == conns.contains(protocol, port), (src, dst, protocol, port)


@settings(max_examples=25)
@given(tiered_clusters(), assumptions, st.data())
def test_smt_witnesses_with_tiers_are_confirmed_concretely(
    cluster: Cluster, assume: Assumptions, data: st.DataObject
) -> None:
    smt = SmtEngine(cluster, assume, timeout_ms=SLOW_MACHINE_TIMEOUT_MS)
    target = data.draw(st.integers(0, len(cluster.workloads) - 1))
    namespace = data.draw(st.sampled_from([*(n.name for n in cluster.namespaces), "brand-new"]))
    questions: list[tuple[EndpointSpec, EndpointSpec]] = [
        (AnyEndpoint(), target), (target, AnyEndpoint()), (Pods(namespace=namespace), Pods()),
    ]
    for src, dst in questions:
        for allowed in (True, False):
            witness = smt.find(src, dst, allowed=allowed)
            assert not isinstance(witness, Undecided)
            if witness is not None:
                assert verify_witness(cluster, witness, assume) == allowed, f"{witness}\n{_describe(cluster)}"


@settings(max_examples=40)
@given(clusters(), assumptions)
def test_network_policy_compiled_into_a_tier_is_native_network_policy(cluster: Cluster, assume: Assumptions) -> None:
    compiled = Cluster.of(cluster.namespaces, cluster.workloads, (), cluster.policies,
                          (network_policy_tier(cluster.policies),))
    native, layered = Evaluator(cluster, assume), Evaluator(compiled, assume)
    for src, dst in endpoint_pairs(cluster):
        assert native.allowed_conns(src, dst) == layered.allowed_conns(src, dst), (src, dst)
