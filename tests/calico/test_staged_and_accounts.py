"""Staged actions, StagedKubernetesNetworkPolicy, the crd.projectcalico.org/v1 storage form and
service-account matching, asked end to end through `query` (what a user sees).

Sources, cited per case: docs.tigera.io/calico/latest/reference/resources/... and projectcalico/calico
(api/pkg/apis/projectcalico/v3/staged*.go ConvertStaged*ToEnforced; libcalico-go
lib/backend/syncersv1/updateprocessors/rules.go parseServiceAccounts).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policylint import api
from policylint.config import Config, load_config

NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"


def pod(name: str, app: str, account: str | None = None) -> str:
    sa = f", serviceAccountName: {account}" if account else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop, labels: {{app: {app}}}}}\n"
            f"spec: {{containers: [{{name: c, image: x}}]{sa}}}\n---\n")


PODS = NS + pod("web", "web") + pod("api", "api") + pod("robot", "robot", "robot")


def calico(kind: str, name: str, spec: str, api_version: str = "projectcalico.org/v3") -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n{spec}---\n"


DENY_API = "  selector: app == 'api'\n  ingress:\n  - action: Deny\n"
ALLOW_API = "  selector: app == 'api'\n  ingress:\n  - action: Allow\n"


def allowed(tmp_path: Path, text: str, src: str, dst: str, *, staged: bool = False) -> bool:
    (tmp_path / "m.yaml").write_text(text)
    (tmp_path / ".policylint.yaml").write_text("{}\n")
    config: Config = load_config(tmp_path / ".policylint.yaml")
    return api.query([str(tmp_path / "m.yaml")], src, dst, replace(config, with_staged=staged), smt=False).allowed


def test_staged_set_previews_the_policy_of_its_name_as_updated(tmp_path: Path) -> None:
    # stagednetworkpolicy: stagedAction Set (the default) previews the NetworkPolicy of the same name
    # as created or updated (ConvertStagedPolicyToEnforced keeps name and namespace): the enforced Deny
    # is replaced by the staged Allow, not evaluated beside it.
    text = PODS + calico("NetworkPolicy", "gate", DENY_API) + calico("StagedNetworkPolicy", "gate", ALLOW_API)
    assert not allowed(tmp_path, text, "shop/web", "shop/api")
    assert allowed(tmp_path, text, "shop/web", "shop/api", staged=True)


def test_staged_delete_previews_the_deletion_of_the_policy_of_its_name(tmp_path: Path) -> None:
    # stagedAction Delete: the enforced policy of that name is gone; the staged rules themselves
    # (a Deny here) are not evaluated.
    staged = calico("StagedNetworkPolicy", "gate", "  stagedAction: Delete\n" + DENY_API)
    text = PODS + calico("NetworkPolicy", "gate", DENY_API) + staged
    assert not allowed(tmp_path, text, "shop/web", "shop/api")
    assert allowed(tmp_path, text, "shop/web", "shop/api", staged=True)


def test_staged_global_policy_replaces_the_global_policy_not_a_namespaced_one(tmp_path: Path) -> None:
    # stagedglobalnetworkpolicy: the staged form of GlobalNetworkPolicy; a NetworkPolicy of the same
    # name is another object and stays.
    glob = "apiVersion: projectcalico.org/v3\nkind: StagedGlobalNetworkPolicy\nmetadata: {name: gate}\nspec:\n"
    text = PODS + calico("NetworkPolicy", "gate", DENY_API) + glob + "  stagedAction: Delete\n" + DENY_API + "---\n"
    assert not allowed(tmp_path, text, "shop/web", "shop/api", staged=True)


KNP = """apiVersion: {api}
kind: {kind}
metadata: {{name: only-web, namespace: shop}}
spec:
  {action}podSelector: {{matchLabels: {{app: api}}}}
  ingress:
  - from:
    - podSelector: {{matchLabels: {{app: web}}}}
---
"""


def test_staged_kubernetes_network_policy_previews_the_kubernetes_policy(tmp_path: Path) -> None:
    # stagedkubernetesnetworkpolicy: "a staged version of Kubernetes network policy ... Once persisted,
    # this will create a Kubernetes network policy": with --with-staged it isolates api like one.
    text = PODS + KNP.format(api="projectcalico.org/v3", kind="StagedKubernetesNetworkPolicy", action="")
    assert allowed(tmp_path, text, "shop/robot", "shop/api")
    assert not allowed(tmp_path, text, "shop/robot", "shop/api", staged=True)
    assert allowed(tmp_path, text, "shop/web", "shop/api", staged=True)


def test_staged_kubernetes_delete_previews_removing_the_kubernetes_policy(tmp_path: Path) -> None:
    text = (PODS + KNP.format(api="networking.k8s.io/v1", kind="NetworkPolicy", action="")
            + KNP.format(api="projectcalico.org/v3", kind="StagedKubernetesNetworkPolicy",
                         action="stagedAction: Delete\n  "))  # fmt: skip
    assert not allowed(tmp_path, text, "shop/robot", "shop/api")
    assert allowed(tmp_path, text, "shop/robot", "shop/api", staged=True)


def test_the_crd_storage_form_is_read_as_projectcalico_v3(tmp_path: Path) -> None:
    # libcalico-go/config/crd/crd.projectcalico.org_networkpolicies.yaml: the same kind and spec,
    # stored under crd.projectcalico.org/v1.
    text = PODS + calico("NetworkPolicy", "gate", DENY_API, api_version="crd.projectcalico.org/v1")
    assert not allowed(tmp_path, text, "shop/web", "shop/api")


def test_service_account_names_narrow_a_rule_by_the_pods_service_account(tmp_path: Path) -> None:
    # networkpolicy#serviceaccountmatch: `names` matches endpoints whose service account is listed;
    # rules.go parseServiceAccounts: `projectcalico.org/serviceaccount in {..}` ANDed with the selector.
    # A pod without serviceAccountName runs as "default" (core/v1 PodSpec.serviceAccountName).
    spec = ("  selector: app == 'api'\n  ingress:\n  - action: Deny\n    source: {serviceAccounts: {names: [robot]}}\n"
            "  - action: Allow\n    source: {serviceAccounts: {names: [default]}}\n")
    text = PODS + calico("NetworkPolicy", "gate", spec)
    assert not allowed(tmp_path, text, "shop/robot", "shop/api")
    assert allowed(tmp_path, text, "shop/web", "shop/api")


def test_service_account_selector_on_the_accounts_name_narrows_the_policy(tmp_path: Path) -> None:
    # networkpolicy spec.serviceAccountSelector selects endpoints by their service account; calico-labels:
    # an account carries `projectcalico.org/name` = its name. Only robot's pods are isolated here.
    spec = "  serviceAccountSelector: projectcalico.org/name == 'robot'\n  egress:\n  - action: Deny\n"
    text = PODS + calico("NetworkPolicy", "gate", spec)
    assert not allowed(tmp_path, text, "shop/robot", "shop/api")
    assert allowed(tmp_path, text, "shop/web", "shop/api")
