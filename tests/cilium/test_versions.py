"""Version-dependent Cilium semantics, chosen in `.policylint.yaml` with `cilium: {version: "1.N"}`
(default 1.18). The two points the issue names: an explicitly empty peer list selects nothing from
Cilium 1.15 (before, an empty list was no constraint), and a rule with none of ingress, ingressDeny,
egress, egressDeny is rejected from 1.17 (before, accepted with no effect).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint import api
from policylint.config import ConfigError, load_config

PODS = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
---
"""
EMPTY_LIST = PODS + """apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: []
"""
NO_SECTIONS = PODS + """apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: idle, namespace: shop}
spec:
  endpointSelector: {}
"""


def run(tmp_path: Path, text: str, config: str) -> tuple[bool, list[str]]:
    (tmp_path / "m.yaml").write_text(text)
    (tmp_path / ".policylint.yaml").write_text(config)
    cfg = load_config(tmp_path / ".policylint.yaml")
    source = api.load([str(tmp_path / "m.yaml")], cfg)
    answer = api.query(source, "shop/web", "shop/api", cfg, smt=False)
    return answer.allowed, [p.rule for p in source.loaded.problems]


def test_an_empty_list_selects_nothing_from_1_15_and_every_peer_before(tmp_path: Path) -> None:
    assert run(tmp_path, EMPTY_LIST, "{}\n")[0] is False  # default: 1.18
    assert run(tmp_path, EMPTY_LIST, 'cilium: {version: "1.15"}\n')[0] is False
    assert run(tmp_path, EMPTY_LIST, 'cilium: {version: "1.14"}\n')[0] is True


def test_a_policy_with_no_rule_section_is_rejected_from_1_17(tmp_path: Path) -> None:
    assert "NP741" in run(tmp_path, NO_SECTIONS, 'cilium: {version: "1.17"}\n')[1]
    assert "NP741" not in run(tmp_path, NO_SECTIONS, 'cilium: {version: "1.16"}\n')[1]


def test_a_version_that_is_not_1_n_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".policylint.yaml").write_text('cilium: {version: "latest"}\n')
    with pytest.raises(ConfigError):
        load_config(tmp_path / ".policylint.yaml")


# pkg/labelsfilter/filter.go defaultLabelPrefixCfg: pod-template-hash and controller-revision-hash
# (among others) are left out of identities, so a selector on them matches no endpoint, and a
# test for their absence matches every endpoint; app.kubernetes.io labels are kept.
IDENTITY = PODS.replace("labels: {app: api}", "labels: {app: api, pod-template-hash: abc, app.kubernetes.io/name: api}")


def test_a_selector_on_a_label_left_out_of_identities_matches_nothing(tmp_path: Path) -> None:
    policy = """apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {SEL}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: nobody}}]
"""
    hashed = IDENTITY + policy.replace("SEL", "pod-template-hash: abc")
    allowed, rules = run(tmp_path, hashed, "{}\n")
    assert allowed and "NP749" in rules  # selects no endpoint, so api is not isolated
    kept = IDENTITY + policy.replace("SEL", "app.kubernetes.io/name: api")
    allowed, rules = run(tmp_path, kept, "{}\n")
    assert not allowed and "NP749" not in rules


def test_a_test_for_the_absence_of_such_a_label_matches_every_endpoint(tmp_path: Path) -> None:
    policy = """apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchExpressions: [{key: controller-revision-hash, operator: DoesNotExist}]}
  ingress:
  - fromEndpoints: [{matchLabels: {app: nobody}}]
"""
    allowed, rules = run(tmp_path, IDENTITY.replace("pod-template-hash: abc", "controller-revision-hash: x") + policy,
                         "{}\n")  # fmt: skip
    assert not allowed and "NP749" in rules
