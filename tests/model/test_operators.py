"""Pods that operators create from custom resources (policylint/model/operators.yaml).

Sources, read for the table (each cited there with its commit):
- prometheus-operator pkg/prometheus/server/statefulset.go, pkg/prometheus/server/operator.go
  (makeSelectorLabels), pkg/prometheus/common.go (MakeContainerPorts: web 9090; shard names),
  pkg/alertmanager/statefulset.go (9093, mesh 9094 TCP+UDP), pkg/thanos/statefulset.go (10901, 10902),
  pkg/operator/config_reloader.go (reloader-web 8080);
- cloudnative-pg pkg/specs/pods.go (buildInstance labels; ports 5432, 9187, 8000);
- cloud-on-k8s pkg/controller/elasticsearch/nodespec/podspec.go, label/label.go (one StatefulSet per nodeSet).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from policylint import api
from policylint.config import load_config
from policylint.load import load_text
from policylint.model.build_controller_labels import CONTROLLER_SET
from policylint.model.workload import Workload

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "operators" / "kube-prometheus"

PROMETHEUS = """\
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  replicas: 2
  shards: 2
  portName: http-web
  thanos: {image: thanos}
  podMetadata:
    labels: {team: obs, prometheus: overridden}
  containers:
  - name: oauth-proxy
    ports: [{name: proxy, containerPort: 9091}]
"""


def _workloads(text: str) -> dict[str, Workload]:
    return {w.name: w for w in load_text(text).cluster.workloads}


def test_a_prometheus_resource_becomes_its_operators_statefulsets_with_their_labels_and_ports() -> None:
    loaded = load_text(PROMETHEUS)
    assert not loaded.problems
    by_name = {w.name: w for w in loaded.cluster.workloads}
    # Shard 0 keeps the base name; shard 1 is prometheus-<name>-shard-1 (common.go prometheusNameByShard).
    assert sorted(by_name) == ["prometheus-k8s", "prometheus-k8s-shard-1"]
    w = by_name["prometheus-k8s"]
    assert w.kind == "StatefulSet"
    assert w.derived == "from Prometheus monitoring/k8s via the Prometheus Operator's rules"
    # spec.podMetadata labels are kept, but the operator's selector labels win (maps.Copy after them).
    assert w.labels["team"] == "obs"
    assert w.labels["prometheus"] == "k8s"
    assert w.labels["app.kubernetes.io/name"] == "prometheus"
    assert w.labels["app.kubernetes.io/managed-by"] == "prometheus-operator"
    assert w.labels["operator.prometheus.io/name"] == "k8s"
    assert w.labels["operator.prometheus.io/shard"] == "0"
    assert by_name["prometheus-k8s-shard-1"].labels["operator.prometheus.io/shard"] == "1"
    assert w.labels["app.kubernetes.io/version"] == CONTROLLER_SET  # no spec.version: the operator's default
    ports = {(p.name, p.port, p.protocol.value) for p in w.ports}
    assert ports == {("http-web", 9090, "TCP"), ("reloader-web", 8080, "TCP"), ("http", 10902, "TCP"),
                     ("grpc", 10901, "TCP"), ("proxy", 9091, "TCP")}  # fmt: skip
    assert w.pods == ("prometheus-k8s-0", "prometheus-k8s-1")


def test_listen_local_drops_the_web_port_and_alertmanager_has_its_mesh_ports() -> None:
    text = """\
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring}
spec: {listenLocal: true}
"""
    w = load_text(text).cluster.workloads[0]
    assert w.ref == "monitoring/alertmanager-main[StatefulSet]"
    assert {(p.name, p.port, p.protocol.value) for p in w.ports} == {("mesh-tcp", 9094, "TCP"),
                                                                    ("mesh-udp", 9094, "UDP")}  # fmt: skip
    assert w.labels["alertmanager"] == "main"


def test_a_thanos_ruler_and_an_unknown_api_version_of_a_known_kind() -> None:
    text = """\
apiVersion: monitoring.coreos.com/v1
kind: ThanosRuler
metadata: {name: rules, namespace: mon}
spec: {}
---
apiVersion: monitoring.coreos.com/v1alpha1
kind: Prometheus
metadata: {name: old, namespace: mon}
spec: {}
"""
    loaded = load_text(text)
    assert [w.ref for w in loaded.cluster.workloads] == ["mon/thanos-ruler-rules[StatefulSet]"]
    w = loaded.cluster.workloads[0]
    assert {(p.name, p.port) for p in w.ports} == {("grpc", 10901), ("web", 10902), ("reloader-web", 8080)}
    assert loaded.skipped_kinds.get("Prometheus") == 1  # not a version the table knows: not derived


def test_replicas_are_told_apart_when_a_selector_names_one() -> None:
    text = PROMETHEUS.replace("  shards: 2\n", "") + """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: first, namespace: monitoring}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: prometheus-k8s-1}}
  policyTypes: [Ingress]
"""
    names = [w.name for w in load_text(text).cluster.workloads]
    assert names == ["prometheus-k8s-0", "prometheus-k8s-1"]


def test_a_statefulset_the_input_holds_stands_instead_of_the_derived_one() -> None:
    text = PROMETHEUS.replace("  shards: 2\n", "") + """\
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: prometheus-k8s
  namespace: monitoring
  ownerReferences: [{apiVersion: monitoring.coreos.com/v1, kind: Prometheus, name: k8s, uid: u, controller: true}]
spec:
  selector: {matchLabels: {app: dumped}}
  serviceName: prometheus-operated
  template:
    metadata: {labels: {app: dumped}}
    spec: {containers: [{name: prometheus, image: p}]}
"""
    (w,) = load_text(text).cluster.workloads
    assert w.labels["app"] == "dumped" and w.derived is None


def test_a_wrong_type_in_a_field_the_table_reads_is_located_and_derives_nothing() -> None:
    text = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: m}\n" \
           "spec:\n  replicas: two\n"
    loaded = load_text(text)
    assert not loaded.cluster.workloads
    assert [(p.rule, p.span.line) for p in loaded.problems] == [("NP002", 1)]


def test_cloudnative_pg_primary_and_replicas_are_separate_workloads() -> None:
    text = """\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg, namespace: db}
spec:
  instances: 3
  inheritedMetadata: {labels: {team: data}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: primary, namespace: db}
spec:
  podSelector: {matchLabels: {cnpg.io/cluster: pg, cnpg.io/instanceRole: primary}}
  policyTypes: [Ingress]
"""
    by_name = _workloads(text)
    assert sorted(by_name) == ["pg-primary", "pg-replica"]
    primary = by_name["pg-primary"]
    assert primary.labels["cnpg.io/instanceRole"] == "primary"
    assert primary.labels["team"] == "data"
    assert {p.port for p in primary.ports} == {5432, 9187, 8000}


def test_elasticsearch_has_one_statefulset_per_node_set_with_its_pod_template_labels() -> None:
    text = """\
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata: {name: logs, namespace: elastic}
spec:
  version: 8.15.0
  http: {tls: {selfSignedCertificate: {disabled: true}}}
  nodeSets:
  - {name: master, count: 3}
  - name: data
    count: 2
    podTemplate: {metadata: {labels: {tier: hot}}}
"""
    by_name = _workloads(text)
    assert sorted(by_name) == ["logs-es-data", "logs-es-master"]
    data = by_name["logs-es-data"]
    assert data.labels["elasticsearch.k8s.elastic.co/statefulset-name"] == "logs-es-data"
    assert data.labels["tier"] == "hot"
    assert {(p.name, p.port) for p in data.ports} == {("http", 9200), ("transport", 9300)}


# --- the reduced kube-prometheus case, end to end ---------------------------------------------------------


def test_kube_prometheus_policies_select_the_operator_pods(tmp_path: Path) -> None:
    report = api.lint(str(FIXTURE), load_config(None))
    ids = {f.rule for f in report.findings}
    # Before operators were modelled: NP201/NP202 (selects nothing, with a rename suggestion that
    # breaks monitoring), NP206 and NP502 (Services unreachable).
    assert not ids & {"NP201", "NP202", "NP206", "NP502", "NP301", "NP507"}


def test_kube_prometheus_diff_sees_prometheus_opened_to_the_adapter(tmp_path: Path) -> None:
    base = tmp_path / "base"
    shutil.copytree(FIXTURE, base)
    policy = base / "prometheus.yaml"
    rule = "  - from: [{podSelector: {matchLabels: {app.kubernetes.io/name: prometheus-adapter}}}]\n" \
           "    ports: [{port: 9090, protocol: TCP}]\n"
    assert rule in policy.read_text()
    policy.write_text(policy.read_text().replace(rule, ""))
    impact = api.diff(str(base), str(FIXTURE), smt=None)
    changes = [(str(c.src), str(c.dst), c.kind.value, str(c.gained)) for c in impact.diff.changes]
    assert len(changes) == 1, changes  # was "No connectivity change" when the Prometheus pods were unknown
    src, dst, kind, gained = changes[0]
    assert ("prometheus-adapter" in src, "prometheus-k8s" in dst, kind, gained) == (True, True, "added", "TCP 9090")


def test_query_says_the_workload_is_derived() -> None:
    answer = api.query(str(FIXTURE), "monitoring/prometheus-adapter", "monitoring/prometheus-k8s", port=9090,
                       smt=False)  # fmt: skip
    assert answer.allowed
    assert answer.ingress is not None
    assert answer.ingress.derived == "from Prometheus monitoring/k8s via the Prometheus Operator's rules"


def test_an_operator_resource_the_table_does_not_model_is_said_not_modelled() -> None:
    text = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaConnect\nmetadata: {name: a, namespace: m}\n"
    loaded = load_text(text)
    assert [(p.rule, p.span.line) for p in loaded.problems] == [("NP801", 1)]
    assert "its operator creates pods" in loaded.problems[0].message and "workloads:" in loaded.problems[0].message


def test_elasticsearch_keeps_https_with_its_own_certificate() -> None:
    # TLSOptions.Enabled (cloud-on-k8s pkg/apis/common/v1/common.go): self-signed disabled but a
    # certificate secret given is still TLS.
    text = """\
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata: {name: logs, namespace: elastic}
spec:
  http: {tls: {selfSignedCertificate: {disabled: true}, certificate: {secretName: my-cert}}}
  nodeSets: [{name: all, count: 1}]
"""
    (w,) = load_text(text).cluster.workloads
    assert {(p.name, p.port) for p in w.ports} == {("https", 9200), ("transport", 9300)}


def test_every_table_entry_is_complete_and_cites_a_pinned_source() -> None:
    from policylint.load.kinds import operator_table

    required = {"kind", "apiVersions", "controller", "workload", "replicas", "labels", "ports"}
    known = required | {"each", "shards", "variants", "containers"}
    for name, op in operator_table()["operators"].items():
        assert op["title"] and op["sources"], name
        # Each source is a file at a commit (a 40-hex blob URL), so the data can be re-read later.
        assert all("/blob/" in url and len(url.split("/blob/")[1].split("/")[0]) == 40 for url in op["sources"])
        for res in op["resources"]:
            assert required <= set(res) <= known, (name, res["kind"])


def test_a_prometheus_agent_becomes_prom_agent_statefulsets_with_the_agent_labels() -> None:
    # prometheus-operator 6adcebc5 pkg/prometheus/common.go Prefix: "prom-agent"; agent/operator.go
    # makeSelectorLabels: app.kubernetes.io/name prometheus-agent and no `prometheus: <name>` label.
    text = """\
apiVersion: monitoring.coreos.com/v1alpha1
kind: PrometheusAgent
metadata: {name: agent, namespace: monitoring}
spec:
  shards: 2
  podMetadata: {labels: {team: obs, app.kubernetes.io/name: mine}}
"""
    by_name = _workloads(text)
    assert sorted(by_name) == ["prom-agent-agent", "prom-agent-agent-shard-1"]
    w = by_name["prom-agent-agent"]
    assert w.kind == "StatefulSet" and w.pods == ("prom-agent-agent-0",)
    assert w.labels["app.kubernetes.io/name"] == "prometheus-agent"  # the selector label wins over podMetadata
    assert w.labels["team"] == "obs" and "prometheus" not in w.labels
    assert w.labels["operator.prometheus.io/name"] == "agent"
    assert by_name["prom-agent-agent-shard-1"].labels["operator.prometheus.io/shard"] == "1"
    assert {(p.name, p.port) for p in w.ports} == {("web", 9090), ("reloader-web", 8080)}


KAFKA = """\
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: my-cluster, namespace: kafka}
spec:
  kafka:
    listeners:
    - {name: plain, port: 9092, type: internal, tls: false}
    - {name: tls, port: 9093, type: internal, tls: true}
    - {name: external, port: 9094, type: loadbalancer, tls: true}
    template: {pod: {metadata: {labels: {team: data}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: kafka-clients, namespace: kafka}
spec:
  podSelector:
    matchLabels: {strimzi.io/cluster: my-cluster, strimzi.io/kind: Kafka, strimzi.io/name: my-cluster-kafka}
  ingress: [{ports: [{port: 9092}, {port: 9093}]}]
"""


def test_a_strimzi_kafka_becomes_its_broker_pods_with_strimzi_labels_and_listener_ports() -> None:
    # strimzi-kafka-operator 8541da1e: KafkaPool.java (strimzi.io/kind, name <cluster>-kafka, cluster, ...),
    # KafkaCluster.java getContainerPortList (8443, 9090, 9091, one port per listener).
    loaded = load_text(KAFKA)
    assert not loaded.problems
    (w,) = loaded.cluster.workloads
    assert w.ref == "kafka/my-cluster-kafka[StrimziPodSet]"
    assert w.derived == "from Kafka kafka/my-cluster via Strimzi's rules"
    for key, value in {"strimzi.io/cluster": "my-cluster", "strimzi.io/kind": "Kafka",
                       "strimzi.io/name": "my-cluster-kafka", "app.kubernetes.io/part-of": "strimzi-my-cluster",
                       "team": "data"}.items():  # fmt: skip
        assert w.labels[key] == value
    assert w.labels["strimzi.io/pool-name"] == CONTROLLER_SET  # set from the KafkaNodePool, not read here
    assert sorted(p.port for p in w.ports) == [8443, 9090, 9091, 9092, 9093, 9094]


def test_the_strimzi_broker_policy_selects_the_derived_pods_so_no_selects_nothing_finding(tmp_path: Path) -> None:
    (tmp_path / "kafka.yaml").write_text(KAFKA)
    report = api.lint(str(tmp_path / "kafka.yaml"), load_config(None).only(["NP201"]))
    assert [f.rule for f in report.findings] == []
    # Without the Kafka resource (a client pod in the namespace instead) the policy selects nothing.
    client = "apiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: kafka}\nspec: {containers: [{name: c}]}\n"
    (tmp_path / "kafka.yaml").write_text(client + "---\n" + KAFKA.split("---\n")[1])
    report = api.lint(str(tmp_path / "kafka.yaml"), load_config(None).only(["NP201"]))
    assert [f.rule for f in report.findings] == ["NP201"]
