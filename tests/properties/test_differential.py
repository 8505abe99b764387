"""The concrete evaluator and the SMT encoding, derived separately, agree on every flow.

For every pair of endpoints of the finite universe the SMT side is asked for ANY (protocol, port)
on which its verdict differs from the concrete allowed_conns, so agreement covers all 3 x 65535
connections, not only the representative ports. Witnesses the SMT side invents (synthetic pods in
known or new namespaces) are re-checked by the concrete evaluator.
"""

from __future__ import annotations

import ipaddress

from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import clusters
from universe import REPRESENTATIVE_PORTS, SLOW_MACHINE_TIMEOUT_MS, endpoint_pairs

from policylint.engine.concrete import Evaluator
from policylint.engine.flow import Assumptions, Flow
from policylint.engine.smt import (
    AnyEndpoint,
    EndpointSpec,
    Pods,
    SmtEngine,
    Undecided,
    verify_uncovered,
    verify_witness,
)
from policylint.model import (
    PROTOCOLS,
    Cluster,
    ContainerPort,
    Direction,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    PortSpec,
    Protocol,
    Rule,
    Workload,
)


def _describe(cluster: Cluster) -> str:
    return "\n".join(repr(x) for x in (*cluster.namespaces, *cluster.workloads, *cluster.policies))


assumptions = st.builds(Assumptions, host_network_selectable=st.booleans())


def _pitfalls() -> Cluster:
    """Pinned: named ports resolving to different numbers per pod, AND vs OR peers, an egress-only
    policy without policyTypes (isolates ingress too), an except edge, a hostNetwork pod."""
    v4 = ipaddress.ip_network("10.0.0.0/16")
    ex = ipaddress.ip_network("10.0.1.0/24")
    block = Peer(ip_block=IPBlock(str(v4), (str(ex),), v4, (ex,)))
    app_a, ns_a = LabelSelector((("app", "a"),)), LabelSelector((("tier", "a"),))
    rules = (
        Rule(Direction.INGRESS, 0, (Peer(app_a, ns_a),), (PortSpec("http"),)),
        Rule(Direction.INGRESS, 1, (Peer(app_a), Peer(None, ns_a), block), (PortSpec(80, 443, Protocol.UDP),)),
    )
    egress_only = NetworkPolicy("ns1", "e", LabelSelector(), None, egress=(Rule(Direction.EGRESS, 0, (block,)),))
    return Cluster.of(
        [Namespace("ns0", {"tier": "a"}), Namespace("ns1", {})],
        [
            Workload("ns0", "w0", "Deployment", {"app": "a"}, (ContainerPort(8080, Protocol.TCP, "http"),)),
            Workload("ns0", "w1", "Deployment", {"app": "b"}, (ContainerPort(80, Protocol.TCP, "http"),)),
            Workload("ns1", "w2", "Deployment", {"app": "a"}),
            Workload("ns1", "w3", "Deployment", {"app": "a"}, host_network=True),
        ],
        (),
        [NetworkPolicy("ns0", "in", LabelSelector(), (Direction.INGRESS,), ingress=rules), egress_only],
    )


@example(_pitfalls(), Assumptions())
@example(_pitfalls(), Assumptions(host_network_selectable=True))
@given(clusters(), assumptions)
def test_engines_agree_on_every_flow_of_the_universe(cluster: Cluster, assume: Assumptions) -> None:
    concrete, smt = Evaluator(cluster, assume), SmtEngine(cluster, assume, timeout_ms=10_000)
    for src, dst in endpoint_pairs(cluster):
        conns = concrete.allowed_conns(src, dst)
        mismatch = smt.conns_mismatch(src, dst, conns)
        assert not isinstance(mismatch, Undecided), mismatch
        assert mismatch is None, f"{src} -> {dst}: concrete {conns}, smt differs at {mismatch}\n{_describe(cluster)}"
        for protocol in PROTOCOLS:  # the concrete evaluator's two entry points agree with each other
            for port in REPRESENTATIVE_PORTS:
                allowed = concrete.verdict(Flow(src, dst, protocol, port)).allowed
                assert allowed == conns.contains(protocol, port), (src, dst, protocol, port)


@settings(max_examples=25)
@given(clusters(), st.data())
def test_smt_verdict_matches_concrete_verdict(cluster: Cluster, data: st.DataObject) -> None:
    concrete, smt = Evaluator(cluster), SmtEngine(cluster, timeout_ms=SLOW_MACHINE_TIMEOUT_MS)
    src, dst = data.draw(st.sampled_from(endpoint_pairs(cluster)))
    protocol = data.draw(st.sampled_from(PROTOCOLS))
    port = data.draw(st.sampled_from(REPRESENTATIVE_PORTS))
    flow = Flow(src, dst, protocol, port)
    assert smt.verdict(flow) == concrete.verdict(flow).allowed


@settings(max_examples=30)
@given(clusters(), assumptions, st.data())
def test_smt_witnesses_are_confirmed_concretely(cluster: Cluster, assume: Assumptions, data: st.DataObject) -> None:
    smt = SmtEngine(cluster, assume, timeout_ms=SLOW_MACHINE_TIMEOUT_MS)
    target = data.draw(st.integers(0, len(cluster.workloads) - 1))
    namespace = data.draw(st.sampled_from([*(n.name for n in cluster.namespaces), "brand-new"]))
    questions: list[tuple[EndpointSpec, EndpointSpec]] = [
        (AnyEndpoint(), target),
        (target, AnyEndpoint()),
        (Pods(namespace=namespace), target),
        (Pods(namespace=namespace), Pods()),
    ]
    for src, dst in questions:
        witness = smt.witness(src, dst)
        assert not isinstance(witness, Undecided)
        if witness is not None:
            assert verify_witness(cluster, witness, assume), f"{witness}\n{_describe(cluster)}"
    if smt.witness(AnyEndpoint(), target) is None:  # then no known endpoint reaches it either
        concrete = Evaluator(cluster, assume)
        sources = [s for s, d in endpoint_pairs(cluster) if d == target and s != target]
        assert not any(concrete.allowed_conns(s, target) for s in sources)


def _rules(cluster: Cluster) -> list[tuple[NetworkPolicy, Rule]]:
    return [(p, r) for p in cluster.policies for d in p.policy_types for r in p.rules(d)]


@settings(max_examples=30)
@given(clusters())
def test_rule_coverage_agrees_with_concrete(cluster: Cluster) -> None:
    """An uncovered rule's witness is confirmed concretely; a covered rule never admits a known
    flow that no other rule admits."""
    smt, concrete = SmtEngine(cluster, timeout_ms=SLOW_MACHINE_TIMEOUT_MS), Evaluator(cluster)
    all_rules = _rules(cluster)
    for subject in all_rules:
        others = [o for o in all_rules if o is not subject]
        witness = smt.uncovered(subject[0], subject[1], others)
        assert not isinstance(witness, Undecided)
        if witness is not None:
            assert verify_uncovered(cluster, witness, subject, others), f"{subject}: {witness}\n{_describe(cluster)}"
            continue
        key = (subject[0].ref, subject[1].index)
        for src, dst in endpoint_pairs(cluster):
            for port in REPRESENTATIVE_PORTS:
                verdict = concrete.verdict(Flow(src, dst, PROTOCOLS[0], port))
                side = verdict.ingress if subject[1].direction.value == "Ingress" else verdict.egress
                admitted = {(r.policy.ref, r.rule.direction, r.rule.index) for r in side.allowing}
                if (key[0], subject[1].direction, key[1]) in admitted:
                    assert len(admitted) > 1, f"{subject} covered, but alone admits {src}->{dst}:{port}"
