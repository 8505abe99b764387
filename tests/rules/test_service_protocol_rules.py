"""NP525 (Service port protocol differs from the container port's) and its border with NP207.

Sources: ServicePort.protocol defaults to TCP and a Service port forwards only its protocol
(https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec);
a named targetPort is looked up by name and protocol (FindPort in
https://github.com/kubernetes/kubernetes/blob/master/pkg/api/v1/pod/util.go).
"""

from __future__ import annotations

from pathlib import Path

from policylint import api

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "np525_service_port_protocol_mismatch" / "bad.yaml"


def test_a_protocol_mismatch_is_reported_once_by_np525_not_also_as_an_unknown_port_by_np207() -> None:
    config = api.load_config(None).only(["NP207", "NP525"])
    found = [(f.rule, f.span.line) for f in api.lint([str(BAD)], config).findings]
    assert found == [("NP525", 22), ("NP525", 23), ("NP525", 24), ("NP525", 33)]  # 33: the selector-less Service


def test_the_message_names_the_protocols_and_the_fix() -> None:
    [first, *_] = api.lint([str(BAD)], api.load_config(None).only(["NP525"])).findings
    assert first.message == (
        "Service kube-system/kube-dns port 53 (dns) is TCP, but its targetPort `dns` is a UDP container port of "
        "kube-system/coredns[Deployment]: the Service forwards no UDP there; set protocol: UDP"
    )


def test_np207_still_reports_a_target_no_container_declares_in_any_protocol(tmp_path: Path) -> None:
    text = BAD.read_text().replace("targetPort: dns}", "targetPort: domain}")
    (tmp_path / "m.yaml").write_text(text)
    found = [(f.rule, f.span.line) for f in api.lint([str(tmp_path)], api.load_config(None).only(["NP207", "NP525"]))
             .findings]  # fmt: skip
    assert found == [("NP207", 22), ("NP525", 23), ("NP525", 24), ("NP525", 33)]  # 33: the selector-less Service
