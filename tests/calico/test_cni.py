"""The `cni:` setting: plugin profiles as data with sources, the assumptions they set, and
commands evaluating only what the plugin enforces (policylint/cni/profiles.json)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policylint import api
from policylint.cli import cli as main
from policylint.cni import names, profile, profiles
from policylint.config import load_config

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
DENY_ALL = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}}
"""


def write(tmp_path: Path, text: str, config: str = "") -> tuple[str, Path]:
    (tmp_path / "m.yaml").write_text(text)
    (tmp_path / ".policylint.yaml").write_text(config or "{}\n")
    return str(tmp_path / "m.yaml"), tmp_path / ".policylint.yaml"


def test_every_issue_plugin_has_a_profile_with_sources() -> None:
    wanted = {"calico", "cilium", "flannel", "weave", "antrea", "ovn-kubernetes", "canal", "aws-vpc-cni", "generic"}
    assert set(names()) == wanted
    assert all(p.sources for p in profiles().values())


def test_flannel_enforces_no_network_policy_and_calico_matches_pod_ips() -> None:
    # flannel-io/flannel#558; projectcalico/calico#6634.
    assert profile("flannel").enforces == ()
    assert profile("calico").ipblocks_match_pods is True
    assert profile("cilium").ipblocks_match_pods is False  # cilium/cilium#9209


def test_cni_setting_sets_the_plugins_assumptions_and_explicit_ones_win(tmp_path: Path) -> None:
    _, cfg = write(tmp_path, PODS, "cni: calico\n")
    assert load_config(cfg).assumptions.ipblocks_match_pods is True
    _, cfg = write(tmp_path, PODS, "cni: calico\nassumptions: {ipblocks_match_pods: false}\n")
    assert load_config(cfg).assumptions.ipblocks_match_pods is False


def test_under_flannel_a_deny_all_policy_has_no_effect(tmp_path: Path) -> None:
    path, cfg = write(tmp_path, PODS + DENY_ALL, "cni: flannel\n")
    assert api.query([path], "shop/web", "shop/api", load_config(cfg), smt=False).allowed
    path, cfg = write(tmp_path, PODS + DENY_ALL)
    assert not api.query([path], "shop/web", "shop/api", load_config(cfg), smt=False).allowed


def test_lint_says_which_policies_the_plugin_ignores(tmp_path: Path) -> None:
    path, _ = write(tmp_path, PODS + DENY_ALL)
    result = CliRunner().invoke(main, ["lint", "--cni", "flannel", path])
    assert "NP731" in result.output and "Flannel does not enforce NetworkPolicy" in result.output


def test_unknown_cni_is_a_config_error(tmp_path: Path) -> None:
    path, _ = write(tmp_path, PODS, "cni: nope\n")
    result = CliRunner().invoke(main, ["lint", "--config", str(tmp_path / ".policylint.yaml"), path])
    assert result.exit_code == 2 and "cni" in result.output
