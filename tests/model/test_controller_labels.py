"""Pods as their controllers create them: controller labels, one workload per replica where a
selector tells replicas apart, one per distinct label set of an owner's pods, and static pods.

Sources (kubernetes/kubernetes): pkg/controller/statefulset/stateful_set_utils.go (initIdentity:
statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index); pkg/controller/job/job_controller.go
and staging/src/k8s.io/api/batch/v1/types.go (batch.kubernetes.io/job-name and legacy job-name);
pkg/controller/deployment/sync.go (pod-template-hash); pkg/kubelet/pod/mirror_client.go (a mirror
pod's controller owner is its Node).
"""

from __future__ import annotations

from pathlib import Path

from policylint import api
from policylint.engine.concrete import Evaluator
from policylint.load import load_text
from policylint.queries.endpoints import resolve

STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  replicas: 3
  selector: {matchLabels: {app: db}}
  serviceName: db
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: primary-only, namespace: data}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
  policyTypes: [Ingress]
"""


def test_a_policy_can_select_one_replica_of_a_statefulset(tmp_path: Path) -> None:
    cluster = load_text(STS).cluster
    assert [w.name for w in cluster.workloads] == ["db-0", "db-1", "db-2"]
    db0 = cluster.workloads[0]
    assert db0.labels["statefulset.kubernetes.io/pod-name"] == "db-0"
    assert db0.labels["apps.kubernetes.io/pod-index"] == "0"
    (tmp_path / "m.yaml").write_text(STS)
    assert not api.query(str(tmp_path), "any", "data/db-0", smt=False).allowed  # isolated, no rule admits
    assert api.query(str(tmp_path), "any", "data/db-1", smt=False).allowed


def test_without_a_selector_on_replicas_a_statefulset_stays_one_workload() -> None:
    cluster = load_text(STS.split("---")[0]).cluster
    assert [w.ref for w in cluster.workloads] == ["data/db[StatefulSet]"]


def test_a_job_carries_its_job_name_labels() -> None:
    text = """\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: data}
spec:
  template:
    metadata: {labels: {app: migrate}}
    spec: {restartPolicy: Never, containers: [{name: c, image: x}]}
"""
    [w] = load_text(text).cluster.workloads
    assert w.labels["batch.kubernetes.io/job-name"] == w.labels["job-name"] == "migrate"


PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent-aaaaa
  namespace: ops
  labels: {app: agent}
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u1, controller: true}]
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: agent-bbbbb
  namespace: ops
  labels: {app: agent, quarantine: "true"}
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u1, controller: true}]
spec: {containers: [{name: c, image: x}]}
"""
QUARANTINE = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: quarantine, namespace: ops}
spec:
  podSelector: {matchLabels: {quarantine: "true"}}
  policyTypes: [Ingress, Egress]
"""


def test_each_label_set_of_an_owner_is_its_own_workload_and_pods_are_named_as_kubectl_shows_them() -> None:
    # A policy selects pods by their own labels (NetworkPolicy spec.podSelector), so the relabelled pod is
    # isolated on its own.
    result = load_text(PODS + QUARANTINE)
    by_name = {w.name: w for w in result.cluster.workloads}
    assert by_name["agent"].labels == {"app": "agent"}
    assert by_name["agent-bbbbb"].labels == {"app": "agent", "quarantine": "true"}
    assert [p.rule for p in result.problems] == ["NP006"]
    ev = Evaluator(result.cluster)
    for pod, workload in (("ops/agent-aaaaa", "agent"), ("ops/agent-bbbbb", "agent-bbbbb")):
        spec = resolve(ev, pod)
        [index] = [i for i in range(len(ev.workloads)) if spec.workloads >> i & 1]
        assert ev.workloads[index].name == workload


def test_pods_differing_only_in_labels_no_selector_tests_stay_one_workload() -> None:
    # They behave alike: no selector can tell them apart (what other analyzers report, too).
    result = load_text(PODS)
    assert [w.name for w in result.cluster.workloads] == ["agent"]
    assert [p.rule for p in result.problems] == []


def test_a_selector_testing_a_key_without_telling_the_pods_apart_does_not_split_them() -> None:
    # `quarantine: "false"` tests the key both pods differ in, yet selects neither: they behave
    # alike, so they stay one workload (NCA's Calico corpus, testcase21: a selector on `app` that
    # no pod matches keeps a DaemonSet whose pods differ in `app` as one workload).
    result = load_text(PODS + QUARANTINE.replace('"true"', '"false"'))
    assert [w.name for w in result.cluster.workloads] == ["agent"]
    assert [p.rule for p in result.problems] == []


def test_a_service_selector_that_tells_the_pods_apart_splits_them() -> None:
    # A Service selects pods by their own labels too (core/v1 ServiceSpec.selector).
    service = """---
apiVersion: v1
kind: Service
metadata: {name: quarantined, namespace: ops}
spec: {selector: {quarantine: "true"}, ports: [{port: 80}]}
"""
    result = load_text(PODS + service)
    assert sorted(w.name for w in result.cluster.workloads) == ["agent", "agent-bbbbb"]


def test_a_mirror_pod_owned_by_its_node_is_a_pod() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: etcd-minikube
  namespace: kube-system
  labels: {component: etcd}
  ownerReferences: [{apiVersion: v1, kind: Node, name: minikube, uid: u, controller: true}]
spec: {containers: [{name: c, image: x}]}
"""
    [w] = load_text(text).cluster.workloads
    assert w.ref == "kube-system/etcd-minikube[Pod]"


def test_an_owner_reference_without_kind_is_invalid_input() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: n
  ownerReferences: [{apiVersion: apps/v1, name: x, uid: u, controller: true}]
spec: {containers: [{name: c, image: x}]}
"""
    assert [p.rule for p in load_text(text).problems] == ["NP002"]


def test_pods_only_a_calico_selector_tells_apart_stay_one_workload_and_that_is_said() -> None:
    # Dialect selectors do not split an owner's pods (docs/calico.md, "Pods of one owner"); the
    # answer is then the first pod's, so the input problem names both label sets.
    calico = """---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: quarantine, namespace: ops}
spec:
  selector: quarantine == 'true'
  types: [Ingress]
"""
    result = load_text(PODS + calico)
    assert [w.name for w in result.cluster.workloads] == ["agent"]
    [problem] = result.problems
    assert problem.rule == "NP006"
    assert "agent-bbbbb" in problem.message and "one workload with the labels of agent-aaaaa" in problem.message
