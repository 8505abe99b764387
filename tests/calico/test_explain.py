"""`query` explains Calico decisions in Calico's terms: the tier, the policy's order, the rule and
where it is written; Pass as "tier X passed"; a tier that applies but matches nothing ends in its
defaultAction; what no tier decides is allowed by the pod's profile.

Sources: docs.tigera.io/calico/latest/reference/resources/tier (order, defaultAction: "the action
to take when a tier applies to an endpoint but no policy in the tier matches"), .../networkpolicy
(Rule action Pass: "skips to the next tier"), .../profile and the generated kns.<namespace> profiles.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policylint.cli import cli as main

CASE = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 200}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.block}
spec:
  tier: security
  order: 10
  selector: app == 'api'
  ingress:
  - action: Pass
    protocol: UDP
  - action: Deny
    source: {selector: app == 'web'}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: platform.api, namespace: shop}
spec:
  tier: platform
  order: 5
  selector: app == 'api'
  egress:
  - action: Allow
    protocol: TCP
    destination: {ports: [443]}
"""


def query(tmp_path: Path, *args: str) -> str:
    (tmp_path / "m.yaml").write_text(CASE)
    result = CliRunner().invoke(main, ["query", str(tmp_path / "m.yaml"), *args])
    return result.output


def test_a_deny_names_the_calico_tier_the_policy_order_and_the_rule(tmp_path: Path) -> None:
    out = query(tmp_path, "--from", "shop/web", "--to", "shop/api", "--port", "80")
    assert "denied by Calico tier security, GlobalNetworkPolicy security.block order 10 ingress rule 2 at " in out
    assert "m.yaml:31:5" in out  # the Deny rule's line


def test_a_pass_says_which_tier_passed_and_the_profile_allows_the_rest(tmp_path: Path) -> None:
    out = query(tmp_path, "--from", "shop/web", "--to", "shop/api", "--port", "53/UDP")
    assert "tier security passed (GlobalNetworkPolicy security.block order 10 ingress rule 1 at " in out
    assert "then allowed by the endpoint's profile kns.shop" in out


def test_a_tier_that_applies_and_matches_nothing_ends_in_its_default_action(tmp_path: Path) -> None:
    out = query(tmp_path, "--from", "shop/api", "--to", "shop/web", "--port", "80")
    assert "Calico tier platform applied (NetworkPolicy shop/platform.api order 5 select it) and matched nothing: " \
           "defaultAction Deny" in out
