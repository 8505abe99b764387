"""Cilium policies as the Cilium builder compiles them (one UNION_MINUS_DENY tier holding the
cluster's NetworkPolicies): the concrete tier walk and the SMT encoding agree on every flow of
the finite universe, and SMT witnesses are confirmed concretely. The policies are generated as
CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy YAML (endpoint selectors with namespace
keys, CIDRs with except, entities, deny sections, enableDefaultDeny, empty lists), so the shapes
the builder produces are the ones tested, not hand-built rule forms.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import KEYS, NAMESPACES, VALUES, clusters
from test_tier_differential import _describe, assumptions, pairs

from policylint.engine.concrete import Evaluator
from policylint.engine.flow import Assumptions
from policylint.engine.smt import AnyEndpoint, EndpointSpec, Pods, SmtEngine, Undecided, verify_witness
from policylint.load import load_text
from policylint.model import Cluster
from policylint.model.compile_network_policy import network_policy_tier_policies

labels = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2)


def _selector(d: dict[str, str], ns: str | None = None, ns_label: tuple[str, str] | None = None) -> str:
    items = [f"k8s:{k}: {v}" for k, v in d.items()]
    if ns is not None:
        items.append(f"k8s:io.kubernetes.pod.namespace: {ns}")
    if ns_label is not None:
        items.append(f"k8s:io.cilium.k8s.namespace.labels.{ns_label[0]}: {ns_label[1]}")
    return "{matchLabels: {" + ", ".join(items) + "}}"


@st.composite
def peers(draw: st.DrawFn, prefix: str) -> str:
    kind = draw(st.sampled_from(("Endpoints", "Endpoints", "CIDR", "CIDRSet", "Entities", "empty", "none")))
    if kind == "none":
        return ""
    if kind == "empty":
        return f"{prefix}Endpoints: []"
    if kind == "Endpoints":
        ns = draw(st.one_of(st.none(), st.sampled_from((*NAMESPACES, "ghost"))))
        ns_label = draw(st.one_of(st.none(), st.none(), st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES))))
        return f"{prefix}Endpoints: [{_selector(draw(labels), ns, ns_label)}]"
    if kind == "CIDR":
        return f"{prefix}CIDR: [{draw(st.sampled_from(('10.0.0.0/16', '0.0.0.0/0', '10.0.1.0/24')))}]"
    if kind == "CIDRSet":
        return f"{prefix}CIDRSet: [{{cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}]"
    return f"{prefix}Entities: [{draw(st.sampled_from(('world', 'cluster', 'all', 'host')))}]"


@st.composite
def rules(draw: st.DrawFn, prefix: str) -> str:
    peer = draw(peers(prefix))
    port = draw(st.sampled_from(("", "toPorts: [{ports: [{port: '80', protocol: TCP}]}]",
                                 "toPorts: [{ports: [{port: '53', protocol: ANY}]}]",
                                 "toPorts: [{ports: [{port: '8000', endPort: 8100, protocol: TCP}]}]")))
    parts = [p for p in (peer, port) if p]
    return "  - {" + ", ".join(parts) + "}\n" if parts else "  - {}\n"


@st.composite
def cilium_policies(draw: st.DrawFn, i: int) -> str:
    clusterwide = draw(st.booleans())
    ns = draw(st.sampled_from(NAMESPACES))
    head = (f"apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {{name: c{i}}}\n"
            if clusterwide else
            f"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: c{i}, namespace: {ns}}}\n")
    body = f"spec:\n  endpointSelector: {_selector(draw(labels))}\n"
    for section, prefix in (("ingress", "from"), ("ingressDeny", "from"), ("egress", "to"), ("egressDeny", "to")):
        n = draw(st.integers(0, 2))
        if n:
            body += f"  {section}:\n" + "".join(draw(rules(prefix)) for _ in range(n))
    if "ingress" not in body and "egress" not in body:
        body += "  ingress:\n  - {}\n"
    if draw(st.integers(0, 4)) == 0:
        body += f"  enableDefaultDeny: {{ingress: {str(draw(st.booleans())).lower()}}}\n"
    return head + body


@st.composite
def cilium_clusters(draw: st.DrawFn) -> Cluster:
    base = draw(clusters())
    text = "---\n".join(draw(cilium_policies(i)) for i in range(draw(st.integers(1, 3))))
    tiers = load_text(text, "cilium.yaml").cluster.tiers
    # The Cilium tier enforces the cluster's NetworkPolicies in the same union (model/build.py).
    tiers = tuple(replace(t, policies=t.policies + network_policy_tier_policies(base.policies, t.name))
                  for t in tiers)  # fmt: skip
    return Cluster.of(base.namespaces, base.workloads, (), base.policies, tiers)


@settings(max_examples=30, deadline=None)
@given(cilium_clusters(), assumptions)
def test_engines_agree_on_every_flow_with_cilium_policies(cluster: Cluster, assume: Assumptions) -> None:
    concrete, smt = Evaluator(cluster, assume), SmtEngine(cluster, assume, timeout_ms=10_000)
    for src, dst in pairs(cluster):
        conns = concrete.allowed_conns(src, dst)
        mismatch = smt.conns_mismatch(src, dst, conns)
        assert not isinstance(mismatch, Undecided), mismatch
        assert mismatch is None, f"{src} -> {dst}: concrete {conns}, smt differs at {mismatch}\n{_describe(cluster)}"


@settings(max_examples=20, deadline=None)
@given(cilium_clusters(), assumptions, st.data())
def test_smt_witnesses_with_cilium_policies_are_confirmed_concretely(
    cluster: Cluster, assume: Assumptions, data: st.DataObject
) -> None:
    smt = SmtEngine(cluster, assume)
    target = data.draw(st.integers(0, len(cluster.workloads) - 1))
    questions: list[tuple[EndpointSpec, EndpointSpec]] = [(AnyEndpoint(), target), (target, AnyEndpoint()),
                                                          (Pods(), Pods())]  # fmt: skip
    for src, dst in questions:
        for allowed in (True, False):
            witness = smt.find(src, dst, allowed=allowed)
            assert not isinstance(witness, Undecided)
            if witness is not None:
                assert verify_witness(cluster, witness, assume) == allowed, f"{witness}\n{_describe(cluster)}"
