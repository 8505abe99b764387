"""AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, last
released in network-policy-api v0.1.7; still served by OVN-Kubernetes / OpenShift).

- AdminNetworkPolicy: Admin tier, `spec.priority` 0-1000, actions Allow/Deny/Pass.
- BaselineAdminNetworkPolicy: Baseline tier, one per cluster, which the CRD requires to be
  named `default` (`self.metadata.name == 'default'`); actions Allow/Deny. Another name is
  rejected by the API server, so such an object is reported (NP706) and not modelled.
Upstream: apis/v1alpha1/adminnetworkpolicy_types.go, baselineadminnetworkpolicy_types.go.
"""

from __future__ import annotations

from policylint.findings import InputProblem
from policylint.load.fields import Reader, span_in
from policylint.load.located_yaml import LMap, LSeq
from policylint.model.build_tier_policy import Written, tier_policy
from policylint.model.build_tier_ports import v1alpha1_ports
from policylint.model.policy import PortSpec
from policylint.model.rule_form import TierPolicy

ADMIN_NETWORK_POLICY = "AdminNetworkPolicy"
BASELINE_ADMIN_NETWORK_POLICY = "BaselineAdminNetworkPolicy"
BASELINE_NOT_DEFAULT = "NP706"


def _ports(r: Reader, item: LMap, path: str) -> tuple[PortSpec, ...] | None:
    ports = item.get("ports")
    return v1alpha1_ports(r, ports, f"{path}.ports") if isinstance(ports, LSeq) else None


def admin_network_policy(r: Reader, obj: LMap, name: str) -> TierPolicy:
    priority = float(obj["spec"]["priority"])
    return tier_policy(r, obj, Written(ADMIN_NETWORK_POLICY, name, "Admin", priority), _ports)


def baseline_admin_network_policy(r: Reader, obj: LMap, name: str) -> TierPolicy | None:
    if name != "default":
        meta: LMap = obj["metadata"]
        where = span_in(meta, "name")
        message = (f"BaselineAdminNetworkPolicy {name!r} is not named 'default': the API server accepts only "
                   "'default' (one per cluster), so this policy is not in effect and is not analysed")  # fmt: skip
        r.problems.append(InputProblem(BASELINE_NOT_DEFAULT, where, message))
        return None
    return tier_policy(r, obj, Written(BASELINE_ADMIN_NETWORK_POLICY, name, "Baseline", None), _ports)
