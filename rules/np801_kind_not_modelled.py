"""NP801 kind-not-modelled: the input holds kinds that change connectivity but are not analysed.

## What it flags

Objects of kinds that allow, deny or route traffic beside NetworkPolicy and that policylint
does not model: CiliumNetworkPolicy, Calico and Antrea policies, AdminNetworkPolicy and
ClusterNetworkPolicy (until their dialect is loaded), Istio and Linkerd authorization, OVN and
OpenShift egress firewalls, MultiNetworkPolicy, Ingress and Gateway API routes. One finding
per kind, at the first object of that kind; `matrix`, `query` and `diff` print the same line
on stderr. The list is data (`policylint/load/unmodelled.py`); kinds a loaded policy dialect
reads are modelled and never reported.

## Why it matters

Every answer (a reachability verdict, an "unreachable" finding, a diff) is computed from the
NetworkPolicies alone. A CiliumNetworkPolicy can deny what they allow, an Istio
AuthorizationPolicy can refuse requests at the proxy, and an Ingress or HTTPRoute exposes a
Service to clients outside the cluster whatever the policies of its namespace say. Without
this finding a confident answer would hide that it did not see them.

## Example

A `cilium.io/v2` CiliumNetworkPolicy beside the NetworkPolicies of a namespace.

## Fix

Read the answers for the namespaces these objects touch as partial; once you have checked
them, lower the rule's severity or suppress the finding with a comment on the object.
Nothing in the manifests needs to change.

## Options

This rule has no options. Its severity can be changed and it can be suppressed.

## References

- [Cilium policy](https://docs.cilium.io/en/stable/security/policy/)
- [Calico network policy](https://docs.tigera.io/calico/latest/network-policy/)
- [AdminNetworkPolicy](https://network-policy-api.sigs.k8s.io/)
- [Istio AuthorizationPolicy](https://istio.io/latest/docs/reference/config/security/authorization-policy/)
- [Gateway API](https://gateway-api.sigs.k8s.io/)
"""

from __future__ import annotations

from policylint.findings import Severity
from policylint.rulespec import RuleSpec

RULE = RuleSpec(
    id="NP801",
    name="kind-not-modelled",
    summary="The input holds kinds that can change connectivity but that policylint does not model.",
    default_severity=Severity.WARNING,
    enabled_by_default=True,
    scope="input",
)
