"""What a user sees when policylint reads manifests: kinds, spans, absent vs empty, owners, formats."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from policylint.load import load_paths, load_text
from policylint.model import Direction, LabelSelector, Operator, Protocol

NP_HEAD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
POLICY = """\
# Source: chart/templates/np.yaml
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector:
        matchExpressions:
        - {key: tier, operator: In, values: [fe]}
    - ipBlock:
        cidr: 10.0.0.1/8
        except: [10.1.0.0/16, nonsense]
    ports:
    - port: 8080
    - port: http
      endPort: 90
      protocol: UDP
  - {}
  egress: []
---
"""


def test_policy_fields_and_spans_line_and_column() -> None:
    result = load_text(POLICY, "np.yaml")
    assert result.problems == []
    (policy,) = result.cluster.policies
    assert (policy.namespace, policy.name, policy.span.line, policy.span.column) == ("shop", "web", 3, 1)
    assert policy.pod_selector.match_labels == (("app", "web"),)
    assert (policy.pod_selector.span.line, policy.pod_selector.span.column) == (10, 5)
    assert policy.ingress is not None and policy.egress == ()
    first, empty = policy.ingress
    assert empty.peers is None and empty.ports is None and empty.span.line == 25
    assert first.peers is not None and first.ports is not None
    sel_peer, ip_peer = first.peers
    assert sel_peer.namespace_selector == LabelSelector(span=sel_peer.namespace_selector.span)  # type: ignore[union-attr]
    assert (sel_peer.span.line, sel_peer.span.column) == (13, 7)
    req = sel_peer.pod_selector.match_expressions[0]  # type: ignore[union-attr]
    assert (req.key, req.operator, req.values) == ("tier", Operator.IN, ("fe",))
    block = ip_peer.ip_block
    assert block is not None and str(block.network) == "10.0.0.0/8"
    assert block.except_networks[1] is None and block.except_spans[1].line == 19
    tcp, named = first.ports
    assert (tcp.port, tcp.protocol, tcp.protocol_written, tcp.span.line, tcp.span.column) == (
        8080, Protocol.TCP, False, 21, 7)  # fmt: skip
    assert (named.port, named.end_port, named.protocol, named.protocol_written) == ("http", 90, Protocol.UDP, True)
    assert policy.policy_types_written is None
    assert policy.policy_types == (Direction.INGRESS,)  # egress: [] does not add Egress


@pytest.mark.parametrize(
    ("spec", "written", "effective"),
    [
        ("egress: [{}]", None, (Direction.INGRESS, Direction.EGRESS)),
        ("policyTypes: [Egress]", (Direction.EGRESS,), (Direction.EGRESS,)),
        ("policyTypes: []", (), (Direction.INGRESS,)),
    ],
)
def test_policy_types_as_written_and_defaulted(spec: str, written: object, effective: object) -> None:
    text = f"{NP_HEAD}spec:\n  podSelector: {{}}\n  {spec}\n"
    (policy,) = load_text(text).cluster.policies
    assert policy.policy_types_written == written and policy.policy_types == effective
    assert policy.namespace == "default"


def test_absent_and_empty_peers_and_selectors_stay_distinct() -> None:
    text = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: n}
spec:
  podSelector: {}
  ingress:
  - from: []
    ports: []
  - from:
    - podSelector: {}
"""
    (policy,) = load_text(text).cluster.policies
    assert policy.ingress is not None and policy.egress is None
    a, b = policy.ingress
    assert a.peers == () and a.ports == ()
    assert b.peers is not None and b.peers[0].namespace_selector is None
    assert b.peers[0].pod_selector is not None and b.peers[0].pod_selector.is_empty


WORKLOADS = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: shop, labels: {app: solo}}
spec:
  hostNetwork: true
  initContainers: [{name: i, ports: [{containerPort: 53, protocol: UDP, name: dns}]}]
  containers: [{name: c, ports: [{containerPort: 80, name: http}]}]
"""
TEMPLATE = "  template:\n    metadata: {labels: {app: KIND}}\n    spec: {containers: [{name: c}]}\n"


@pytest.mark.parametrize(
    "kind", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController", "CronJob"]
)
def test_every_workload_kind_gives_a_workload_with_template_labels(kind: str) -> None:
    api = {"Job": "batch/v1", "CronJob": "batch/v1", "ReplicationController": "v1"}.get(kind, "apps/v1")
    body = TEMPLATE.replace("KIND", kind.lower())
    if kind == "CronJob":
        body = "  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n" + "\n".join(
            "    " + line for line in body.splitlines()) + "\n"  # fmt: skip
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w, namespace: n}}\nspec:\n{body}"
    result = load_text(text)
    assert result.problems == []
    (w,) = result.cluster.workloads
    assert (w.ref, w.labels["app"]) == (f"n/w[{kind}]", kind.lower())
    # the rest are the labels the controller adds (tests/model/test_controller_labels.py)
    assert {k for k in w.labels if k != "app"} == set(CONTROLLER_LABELS[kind])


CONTROLLER_LABELS = {
    "Deployment": ["pod-template-hash"], "ReplicaSet": [], "ReplicationController": [],
    "StatefulSet": ["controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"],
    "DaemonSet": ["controller-revision-hash", "pod-template-generation"],
    "Job": ["batch.kubernetes.io/job-name", "job-name", "batch.kubernetes.io/controller-uid", "controller-uid"],
    "CronJob": ["batch.kubernetes.io/job-name", "job-name", "batch.kubernetes.io/controller-uid", "controller-uid"],
}  # fmt: skip


def test_pod_ports_host_network_and_namespace_labels() -> None:
    result = load_text(WORKLOADS)
    (w,) = result.cluster.workloads
    assert w.host_network and [(p.port, p.protocol, p.name) for p in w.ports] == [
        (53, Protocol.UDP, "dns"), (80, Protocol.TCP, "http")]  # fmt: skip
    assert result.cluster.namespace_index["shop"].labels == {"team": "a", "kubernetes.io/metadata.name": "shop"}


def _pod(name: str, labels: str) -> str:
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: n
  labels: {labels}
  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: x, controller: true}}]
spec: {{containers: [{{name: c}}]}}
"""


def test_pods_of_one_owner_merge_into_one_workload_named_after_it() -> None:
    rs = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs, namespace: n}\nspec:\n" + TEMPLATE.replace(
        "KIND", "a")  # fmt: skip
    result = load_text("---\n".join([_pod("rs-2", "{app: a}"), _pod("rs-1", "{app: a}"), rs]))
    assert [w.ref for w in result.cluster.workloads] == ["n/rs[ReplicaSet]"]
    assert result.problems == []


def test_owner_pods_with_different_labels_warn() -> None:
    # Each label set is evaluated on its own (tests/model/test_controller_labels.py).
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
              "spec: {podSelector: {matchLabels: {app: a}}}\n")
    result = load_text("---\n".join([_pod("rs-2", "{app: b}"), _pod("rs-1", "{app: a}"), policy]))
    assert [(w.name, w.labels) for w in result.cluster.workloads] == [("rs", {"app": "a"}), ("rs-2", {"app": "b"})]
    assert [p.rule for p in result.problems] == ["NP006"]


def test_service_defaults() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n  ports:\n"
        "  - {port: 80}\n  - {port: 53, targetPort: dns, protocol: UDP, name: d}\n"
    )
    (svc,) = load_text(text).cluster.services
    assert (svc.type, svc.selector) == ("ClusterIP", {"app": "a"})
    assert [(p.port, p.target_port, p.protocol) for p in svc.ports] == [
        (80, 80, Protocol.TCP),
        (53, "dns", Protocol.UDP),
    ]
    assert svc.ports[1].span.line == 8


def test_list_items_json_and_stdin_keep_their_spans(tmp_path: Path) -> None:
    doc = {
        "apiVersion": "v1",
        "kind": "NamespaceList",
        "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}],
    }
    (tmp_path / "ns.json").write_text(json.dumps(doc, indent=2))
    stdin = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: c}\n"
    result = load_paths([str(tmp_path), "-"], stdin=stdin)
    spans = {n.name: n.span for n in result.cluster.namespaces}
    assert (spans["a"].file, spans["a"].line, spans["a"].column) == (str(tmp_path / "ns.json"), 5, 5)  # type: ignore[union-attr]
    assert (spans["c"].file, spans["c"].line, spans["c"].column) == ("<stdin>", 4, 3)  # type: ignore[union-attr]
    assert result.files_read == 2 and result.documents == 3


def test_unread_kinds_are_counted_and_unsupported_versions_reported() -> None:
    old = NP_HEAD.replace("networking.k8s.io/v1", "extensions/v1beta1")
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" + old + "spec: {podSelector: {}}\n"
    result = load_text(text)
    assert result.skipped_kinds == {"ConfigMap": 1, "NetworkPolicy (extensions/v1beta1)": 1}
    assert [p.rule for p in result.problems] == ["NP003"]


def test_unknown_operator_matches_nothing() -> None:
    text = NP_HEAD + "spec:\n  podSelector:\n    matchExpressions: [{key: a, operator: Equals, values: [x]}]\n"
    result = load_text(text)
    req = result.cluster.policies[0].pod_selector.match_expressions[0]
    assert (req.operator, req.values) == (Operator.IN, ())
    assert [p.rule for p in result.problems] == ["NP002"]


def test_same_input_in_any_order_gives_the_same_cluster(tmp_path: Path) -> None:
    docs = [POLICY.split("---\n")[1], *WORKLOADS.split("---\n"), _pod("rs-1", "{app: a}"), _pod("rs-2", "{app: a}")]
    docs += [f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: n{i % 3}}}\n" for i in range(6)]
    results = []
    for seed in range(4):
        random.Random(seed).shuffle(docs)
        d = tmp_path / str(seed)
        d.mkdir()
        for i in range(0, len(docs), 3):
            (d / f"{seed}-{i}.yaml").write_text("---\n".join(docs[i : i + 3]))
        cluster = load_paths([str(d)]).cluster
        groups = (cluster.workloads, cluster.services, cluster.policies)
        results.append([[(o.namespace, o.name) for o in g] for g in groups] + [[n.name for n in cluster.namespaces]])
    assert all(r == results[0] for r in results)


CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "netpol-analyzer"


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared conformance data not available")
def test_every_conformance_manifest_loads_without_error_problems() -> None:
    dirs = sorted(str(p) for p in CONFORMANCE.glob("*/manifests"))
    result = load_paths(dirs)
    errors = [p for p in result.problems if p.rule not in ("NP005", "NP006")]  # the warning-level ids
    assert errors == [] and not result.fatal and result.cluster.policies
