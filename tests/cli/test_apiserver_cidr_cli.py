"""`--apiserver-cidr` (lint, diff) and the config key `apiserver_cidrs`: where the kube-apiserver calls
webhooks from, the range NP507 checks (same meaning as the rule option `rules.NP507.apiserver_cidrs`).

The source address of the API server's calls depends on the cluster and the plugin (Network policies,
"What you can't do": https://kubernetes.io/docs/concepts/services-networking/network-policies/), so
the user states it; the webhook fixture admits only 10.0.0.0/16 on the target port.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

# The webhook case of tests/model/test_apiserver_callers.py: pods on 8443 behind an ipBlock-only rule.
WEBHOOK = (Path(__file__).resolve().parents[2] / "fixtures" / "webhooks" / "ipblock-only.yaml").read_text(
    encoding="utf-8"
)

POLICY = "---\napiVersion: networking.k8s.io/v1"


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def _np507(tmp_path: Path, *args: str) -> list[str]:
    (tmp_path / "hook.yaml").write_text(WEBHOOK, encoding="utf-8")
    code, out, _ = run(["lint", "-q", "-f", "concise", "--fail-on", "never", *args, "hook.yaml"], tmp_path)
    assert code == 0, out
    return [line for line in out.splitlines() if "NP507" in line]


def test_without_a_range_the_webhook_behind_an_ipblock_is_reported(tmp_path: Path) -> None:
    found = _np507(tmp_path)
    assert len(found) == 1 and found[0].startswith("hook.yaml:10:")


def test_the_command_line_range_inside_the_ipblock_admits_the_api_server(tmp_path: Path) -> None:
    assert _np507(tmp_path, "--apiserver-cidr", "10.0.1.0/24") == []
    # Repeatable: one range outside the ipBlock keeps the finding, and the message names both ranges.
    found = _np507(tmp_path, "--apiserver-cidr", "10.0.1.0/24", "--apiserver-cidr", "192.168.0.10/32")
    assert len(found) == 1 and "the API server calls from 10.0.1.0/24, 192.168.0.10/32" in found[0]


def test_the_top_level_config_key_sets_the_range_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / ".policylint.yaml").write_text("apiserver_cidrs: [10.0.1.0/24]\n", encoding="utf-8")
    assert _np507(tmp_path) == []
    assert len(_np507(tmp_path, "--apiserver-cidr", "192.168.0.0/24")) == 1


def test_a_bad_range_is_a_located_usage_error(tmp_path: Path) -> None:
    (tmp_path / "hook.yaml").write_text(WEBHOOK, encoding="utf-8")
    code, _, err = run(["lint", "--apiserver-cidr", "10.0.1/99", "hook.yaml"], tmp_path)
    assert code == 2 and "'10.0.1/99' is not an address range (CIDR)" in err
    (tmp_path / ".policylint.yaml").write_text("apiserver_cidrs: [10.0.1.0/24, nope]\n", encoding="utf-8")
    code, _, err = run(["lint", "hook.yaml"], tmp_path)
    assert code == 2 and ".policylint.yaml:1: apiserver_cidrs.1: 'nope' is not an address range" in err


def test_diff_reports_the_new_np507_only_when_the_range_is_not_admitted(tmp_path: Path) -> None:
    # BASE has no policy (the webhook pods admit everything); HEAD adds the ipBlock-only policy.
    (tmp_path / "base.yaml").write_text(WEBHOOK.split(POLICY)[0], encoding="utf-8")
    (tmp_path / "head.yaml").write_text(WEBHOOK, encoding="utf-8")
    code, out, _ = run(["diff", "--lint", "base.yaml", "head.yaml"], tmp_path)
    assert code == 0 and "1 new finding" in out and "NP507" in out
    code, out, _ = run(["diff", "--lint", "--apiserver-cidr", "10.0.1.0/24", "base.yaml", "head.yaml"], tmp_path)
    assert code == 0 and "0 new findings" in out and "NP507" not in out
