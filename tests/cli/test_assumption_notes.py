"""An assumption the input leaves open is said once per run (issue 12): the namespace of objects
written without metadata.namespace, and the plugin enforcing dialect policies without `cni:`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli

# As in Argo CD's install.yaml: namespaced objects without metadata.namespace. kubectl puts them in
# the current context's namespace (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/).
NO_NAMESPACE = """\
apiVersion: v1
kind: Pod
metadata: {name: api, labels: {app: api}}
spec: {containers: [{name: a, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: a, image: x}]}
"""
CILIUM = """\
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: demo, labels: {app: api}}
spec: {containers: [{name: a, image: x}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny, namespace: demo}
spec:
  endpointSelector: {}
  ingress: [{}]
"""
NAMESPACE_NOTE = "2 object(s) without metadata.namespace placed in namespace 'default'"
CNI_NOTE = "no cni set: CiliumNetworkPolicy (as Cilium would) taken as enforced"


def _run(args: list[str]) -> tuple[str, str, int]:
    result = CliRunner().invoke(cli, args)
    return result.stdout, result.stderr, result.exit_code


def test_query_and_matrix_say_the_assumed_namespace_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NO_NAMESPACE)
    for args in (["query", str(tmp_path), "--from", "default/api", "--to", "default/web", "--no-smt"],
                 ["matrix", str(tmp_path)]):  # fmt: skip
        out, err, _ = _run(args)
        assert err.count(NAMESPACE_NOTE) == 1 and NAMESPACE_NOTE not in out


def test_a_namespace_set_by_the_user_is_not_an_assumption(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NO_NAMESPACE)
    _, err, _ = _run(["matrix", "--default-namespace", "default", str(tmp_path)])
    assert "metadata.namespace" not in err
    (tmp_path / "cfg.yaml").write_text("namespace: prod\n")
    _, err, _ = _run(["matrix", "--config", str(tmp_path / "cfg.yaml"), str(tmp_path / "a.yaml")])
    assert "metadata.namespace" not in err


def test_lint_reports_np805_at_the_first_object(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NO_NAMESPACE)
    out, _, _ = _run(["lint", "-f", "json", str(tmp_path / "a.yaml")])
    assert out.count('"NP805"') == 1 and "2 object(s)" in out and '"line": 1' in out
    out, _, _ = _run(["lint", "-f", "json", "--default-namespace", "default", str(tmp_path / "a.yaml")])
    assert "NP805" not in out


def test_dialect_policy_without_cni_names_the_plugin_assumed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CILIUM)
    for args in (["query", str(tmp_path), "--from", "any", "--to", "demo/api", "--no-smt"],
                 ["matrix", str(tmp_path)], ["exposure", str(tmp_path)]):  # fmt: skip
        _, err, _ = _run(args)
        assert err.count(CNI_NOTE) == 1, args
        _, err, _ = _run([*args, "--cni", "cilium"])
        assert "no cni set" not in err


def test_lint_np733_says_the_assumed_plugin_at_the_policy(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CILIUM)
    out, _, _ = _run(["lint", "-f", "json", str(tmp_path / "a.yaml")])
    assert out.count('"NP733"') == 1 and CNI_NOTE in out
    out, _, _ = _run(["lint", "-f", "json", "--cni", "cilium", str(tmp_path / "a.yaml")])
    assert "NP733" not in out


def test_diff_says_the_assumptions_once_for_both_sides(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(NO_NAMESPACE)
    (tmp_path / "head.yaml").write_text(NO_NAMESPACE + "---\n" + CILIUM)
    out, err, _ = _run(["diff", str(tmp_path / "base.yaml"), str(tmp_path / "head.yaml")])
    assert err.count(NAMESPACE_NOTE) == 1 and "HEAD note: " + CNI_NOTE in err
    assert NAMESPACE_NOTE not in out


def test_network_policy_only_input_with_namespaces_gets_no_note(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CILIUM.split("---")[0])
    _, err, _ = _run(["matrix", str(tmp_path)])
    assert "note:" not in err
