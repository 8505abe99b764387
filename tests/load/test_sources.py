"""Helm charts are named once and skipped; Kustomize roots are rendered, else named with what to run.

kustomization `namespace:` sets the namespace of every resource
(https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/), so reading
its files as they are would put the policies in `default`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policylint.load import load_paths

POLICY = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {}\n"
KUST = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources: [np.yaml]\n"


def test_a_helm_chart_is_one_message_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "np.yaml").write_text("{{- if .Values.np }}\nkind: NetworkPolicy\n{{- end }}\n")
    result = load_paths([str(tmp_path)])
    assert [(p.rule, p.span.file) for p in result.problems] == [("NP802", str(tmp_path / "Chart.yaml"))]
    assert "helm template" in result.problems[0].message


@pytest.mark.skipif(not (shutil.which("kustomize") or shutil.which("kubectl")), reason="needs kustomize or kubectl")
def test_a_kustomize_root_is_rendered_with_its_namespace(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(KUST)
    (tmp_path / "np.yaml").write_text(POLICY)
    result = load_paths([str(tmp_path)])
    assert result.problems == []
    assert [p.namespace for p in result.cluster.policies] == ["shop"]


def test_without_kustomize_the_root_is_named_with_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    (tmp_path / "kustomization.yaml").write_text(KUST)
    (tmp_path / "np.yaml").write_text(POLICY)
    result = load_paths([str(tmp_path)])
    assert [p.rule for p in result.problems] == ["NP802"]
    assert f"kustomize build {tmp_path}" in result.problems[0].message
    assert result.cluster.policies == ()  # never read into `default`


def test_a_kustomization_listing_only_local_files_reads_them_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("kind: Kustomization\nresources: [np.yaml]\n")
    (tmp_path / "np.yaml").write_text(POLICY)
    result = load_paths([str(tmp_path)])
    assert result.problems == [] and [p.namespace for p in result.cluster.policies] == ["default"]
