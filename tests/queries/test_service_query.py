"""`query --to` a Service: Service port -> each backend's targetPort, per-backend answers, summary.

Sources:
- Service ports and targetPort (a number or a name looked up per backend pod):
  https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service and
  https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
- NetworkPolicy ports are the pod's ports (the destination after translation):
  https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
- Services without selectors, EndpointSlices and Endpoints:
  https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors and
  https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoint-slice-v1/
- Headless and ExternalName Services:
  https://kubernetes.io/docs/concepts/services-networking/service/#headless-services and #externalname
- Service DNS names (NAME.NS.svc.cluster.local):
  https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from policylint import api
from policylint.queries.service_query import ServiceAnswer, ServiceRef, parse_service_ref

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "services"


@pytest.fixture(scope="module")
def source() -> api.Input:
    return api.load([str(FIXTURE)], validate=False)


def verdicts(a: ServiceAnswer) -> dict[str, str]:
    return {b.backend.label: b.verdict for b in a.backends}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policylint", "query", str(FIXTURE), *args],
                          capture_output=True, text=True, cwd=tempfile.gettempdir())  # fmt: skip


@pytest.mark.parametrize("text", ["svc/data/postgres", "data/svc/postgres", "postgres.data.svc.cluster.local",
                                  "postgres.data", "postgres.data.svc", "service/data/postgres"])  # fmt: skip
def test_every_service_form_names_the_same_service(source: api.Input, text: str) -> None:
    # dns-pod-service/#services: "my-svc.my-namespace.svc.cluster-domain.example"; kubectl's svc/NAME.
    a = api.query_service(source, "shop/api", text, port="5432")
    assert (a.service.ref, a.text) == ("data/postgres", text)


def test_a_dialled_host_and_port_is_the_service_and_its_port(source: api.Input) -> None:
    # How a pod dials it: postgres.data.svc.cluster.local:5432 (port by number or Service port name).
    a = api.query_service(source, "shop/api", "postgres.data.svc.cluster.local:5432")
    b = api.query_service(source, "shop/api", "postgres.data:sql")
    assert (a.port_text, b.port_text, a.summary) == ("5432", "sql", b.summary)
    assert parse_service_ref("shop:app=api") is None and parse_service_ref("10.0.0.1:80") is None
    with pytest.raises(api.EndpointError, match="give one"):
        api.query_service(source, "shop/api", "postgres.data:5432", port="80")


def test_a_service_in_the_default_namespace_and_what_is_no_service() -> None:
    assert parse_service_ref("svc/postgres") == ServiceRef(None, "postgres", "svc/postgres")
    for not_a_service in ("10.0.0.1", "shop/api", "shop:app=api", "any", "deploy/api", "api.example.com"):
        assert parse_service_ref(not_a_service) is None, not_a_service


def test_named_target_port_resolves_per_backend_and_each_backend_answers(source: api.Input) -> None:
    # Service docs: "targetPort ... can be the name of a port in the Pod"; each backend may define `pg`
    # as a different number (5432, 5433) or not at all (then that backend gets nothing on it).
    a = api.query_service(source, "shop/api", "svc/data/postgres", port="5432")
    assert verdicts(a) == {"data/pg-legacy[Deployment]": "BLOCKED", "data/pg-primary[StatefulSet]": "ALLOWED",
                           "data/pg-replica[Deployment]": "BLOCKED"}  # fmt: skip
    targets = {b.backend.label: b.ports[0].target for b in a.backends}
    assert targets == {"data/pg-legacy[Deployment]": None, "data/pg-primary[StatefulSet]": 5432,
                       "data/pg-replica[Deployment]": 5433}  # fmt: skip
    assert (a.verdict, a.summary) == ("PARTIAL", "1 of 3 backends admit shop/api on Service port 5432/TCP (sql)")


def test_port_is_the_service_port_by_number_or_name(source: api.Input) -> None:
    by_name = api.query_service(source, "shop/api", "svc/data/postgres", port="sql")
    by_number = api.query_service(source, "shop/api", "svc/data/postgres", port="5432/TCP")
    assert verdicts(by_name) == verdicts(by_number)
    with pytest.raises(api.EndpointError, match="5433 is the target port of Service port 5432/TCP"):
        api.query_service(source, "shop/api", "svc/data/postgres", port="5433")


def test_policies_see_the_target_port_not_the_service_port(source: api.Input) -> None:
    # The policy admits 8080 (the target port) for shop/api, and 80 (the Service port, a slip) for shop/batch.
    api_side = api.query_service(source, "shop/api", "web.web", port="80")
    assert api_side.verdict == "ALLOWED"
    assert any("no policy admits TCP 80 (the Service port), but the target port 8080 is admitted" in n
               for n in api_side.backends[0].notes)  # fmt: skip
    batch = api.query_service(source, "shop/batch", "web.web", port="http")
    assert batch.verdict == "BLOCKED"
    assert any("TCP 80 (the Service port) is admitted, but the Service forwards to target port 8080" in n
               for n in batch.backends[0].notes)  # fmt: skip


def test_without_port_every_service_port_is_asked_and_a_backend_may_admit_part(source: api.Input) -> None:
    a = api.query_service(source, "shop/api", "svc/web/web")
    [b] = a.backends
    assert [(p.service_port.port, p.target, p.admitted) for p in b.ports] == [(80, 8080, True), (53, 8053, False)]
    assert (b.verdict, a.verdict) == ("PARTIAL", "PARTIAL")
    # A number alone matches the Service port of any protocol; 53/TCP matches none.
    dns = api.query_service(source, "shop/api", "svc/web/web", port="53").backends[0]
    assert [p.service_port.protocol.value for p in dns.ports] == ["UDP"]
    with pytest.raises(api.EndpointError, match="has no such port"):
        api.query_service(source, "shop/api", "svc/web/web", port="53/TCP")


def test_selectorless_service_takes_backends_from_endpointslices(source: api.Input) -> None:
    # services-without-selectors: the slice labelled kubernetes.io/service-name: ledger holds the
    # backends; a targetRef names the pod (pg-primary-0 is the StatefulSet's ordinal 0), an address
    # without one is outside the pods; the slice port (6432) is the target; conditions.ready false
    # addresses get no traffic (EndpointConditions.ready).
    a = api.query_service(source, "shop/api", "svc/data/ledger", port="5432")
    assert verdicts(a) == {"data/pg-primary[StatefulSet]": "BLOCKED", "192.0.2.10": "ALLOWED"}
    assert {b.backend.label: b.ports[0].target for b in a.backends} == {"data/pg-primary[StatefulSet]": 6432,
                                                                        "192.0.2.10": 6432}  # fmt: skip
    assert any("192.0.2.11 is not ready" in n for n in a.notes)


def test_selectorless_service_with_a_legacy_endpoints_object(source: api.Input) -> None:
    # Endpoints v1: the object named like the Service; an unnamed port serves the single Service port.
    a = api.query_service(source, "shop/api", "data/svc/warehouse")
    assert verdicts(a) == {"198.51.100.7": "BLOCKED"}
    assert a.backends[0].ports[0].target == 8443
    assert a.backends[0].answer is not None and a.backends[0].answer.egress is not None


def test_selectorless_service_without_endpoints_has_no_backends(source: api.Input) -> None:
    a = api.query_service(source, "shop/api", "svc/data/nothing")
    assert (a.verdict, a.backends) == ("NO BACKENDS", [])
    assert "no backends known" in a.notes[0]


def test_headless_service_says_there_is_no_proxy(source: api.Input) -> None:
    a = api.query_service(source, "shop/api", "pg-headless.data", port="5432")
    assert a.verdict == "ALLOWED" and a.service.headless
    assert "headless (clusterIP: None): no proxy" in a.notes[0]


def test_externalname_and_unknown_services_are_errors(source: api.Input) -> None:
    with pytest.raises(api.EndpointError, match="ExternalName"):
        api.query_service(source, "shop/api", "svc/data/upstream")
    with pytest.raises(api.EndpointError, match="did you mean 'data/postgres'"):
        api.query_service(source, "shop/api", "svc/data/postgre")


def test_svc_slash_name_stays_a_workload_where_a_namespace_is_called_svc(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: svc}\n"
                                     "spec: {containers: [{name: c, image: i}]}\n")  # fmt: skip
    assert not api.is_service([str(tmp_path)], "svc/client")
    assert api.is_service([str(tmp_path)], "svc/svc/client") and api.is_service([str(tmp_path)], "client.svc")


def test_a_selector_source_says_that_only_the_input_workloads_are_asked(source: api.Input) -> None:
    a = api.query_service(source, "shop:", "svc/data/postgres", port="5432")
    assert a.verdict == "PARTIAL" and any("for the workloads of the input only" in n for n in a.notes)


def test_a_service_as_source_stands_for_its_backends_and_says_so(source: api.Input) -> None:
    a = api.query(source, "svc/data/pg-headless", "shop/api")
    assert a.src.single and a.notes and "a Service is not a source" in a.notes[0]
    assert "data/pg-primary[StatefulSet]" in a.notes[0]


def test_cli_text_exit_codes_and_json() -> None:
    done = cli("--from", "shop/api", "--to", "svc/data/postgres", "--port", "5432", "--expect", "allow")
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == [
        "shop/api -> svc/data/postgres (data/postgres, ClusterIP) on Service port 5432/TCP (sql): PARTIAL",
        "1 of 3 backends admit shop/api on Service port 5432/TCP (sql)",
    ]
    assert "expected allow, but the answer is PARTIAL" in done.stderr
    assert cli("--from", "shop/api", "--to", "pg-headless.data", "--expect", "allow").returncode == 0
    assert cli("--from", "shop/batch", "--to", "web.web", "-p", "http", "--expect", "deny").returncode == 0
    done = cli("--from", "shop/api", "--to", "postgres.data", "-p", "5432", "-f", "json")
    doc: dict[str, Any] = json.loads(done.stdout)
    assert (doc["verdict"], doc["allowed"], doc["summary"]) == (
        "PARTIAL", False, "1 of 3 backends admit shop/api on Service port 5432/TCP (sql)")  # fmt: skip
    assert [(b["backend"], b["verdict"], b["ports"][0]["target_port"]) for b in doc["backends"]] == [
        ("data/pg-legacy[Deployment]", "BLOCKED", None),
        ("data/pg-primary[StatefulSet]", "ALLOWED", 5432),
        ("data/pg-replica[Deployment]", "BLOCKED", 5433),
    ]
    missing = cli("--from", "shop/api", "--to", "svc/data/postgress")
    assert missing.returncode == 2 and "did you mean 'data/postgres'" in missing.stderr


def test_endpointslice_and_endpoints_are_schema_checked(tmp_path: Path) -> None:
    # Both kinds are read now, so a wrong type is a located NP002 like in every other kind
    # (EndpointPort.port is an integer: endpoint-slice-v1/#EndpointSlice).
    (tmp_path / "m.yaml").write_text(
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
        "metadata: {name: s, namespace: a, labels: {kubernetes.io/service-name: x}}\n"
        "addressType: IPv4\nendpoints: [{addresses: [10.0.0.1]}]\nports:\n  - port: eighty\n"
        "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: x, namespace: a}\nsubsets: {}\n"
    )
    found = sorted((f.rule, f.span.line) for f in api.lint([str(tmp_path)]).findings if f.rule == "NP002")
    assert found == [("NP002", 7), ("NP002", 12)]


def test_batch_and_serve_answer_service_questions_per_backend() -> None:
    batch = subprocess.run(
        [sys.executable, "-m", "policylint", "query", str(FIXTURE), "--batch", "-", "--expect", "allow", "-f", "json"],
        input="shop/api svc/data/postgres 5432\nshop/api pg-headless.data sql\n", capture_output=True, text=True,
        cwd=tempfile.gettempdir(),
    )  # fmt: skip
    assert [json.loads(line)["verdict"] for line in batch.stdout.splitlines()] == ["PARTIAL", "ALLOWED"]
    assert batch.returncode == 1 and "batch line 1: expected allow, but the answer is PARTIAL" in batch.stderr
    served = subprocess.run([sys.executable, "-m", "policylint", "serve", str(FIXTURE)], capture_output=True, text=True,
                            input='{"id": 7, "from": "shop/api", "to": "postgres.data", "port": 5432}\n',
                            cwd=tempfile.gettempdir())  # fmt: skip
    reply = json.loads(served.stdout)
    summary = "1 of 3 backends admit shop/api on Service port 5432/TCP (sql)"
    assert (reply["id"], reply["answer"]["summary"]) == (7, summary)
