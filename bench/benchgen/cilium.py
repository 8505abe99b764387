"""The `cilium` profile: the sparse cluster with half of the product namespaces' NetworkPolicies
written as CiliumNetworkPolicies (what a team moving to Cilium holds), plus clusterwide policies
every Cilium cluster tends to have (cloud metadata denied, DNS and the API server allowed).

The conversion keeps each policy's meaning where Cilium can say it: podSelector -> endpointSelector,
a podSelector peer -> fromEndpoints (namespace selectors as `io.cilium.k8s.namespace.labels.*`),
ipBlock -> fromCIDRSet, ports -> toPorts; a rule mixing peer kinds becomes one rule per kind
(Cilium rejects mixing), `from` absent -> every peer (`fromEntities: [all]`).
"""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
NS_LABELS = "k8s:io.cilium.k8s.namespace.labels."
POD_NAMESPACE = "k8s:io.kubernetes.pod.namespace"
NAME_LABEL = "kubernetes.io/metadata.name"


def _selector(sel: Doc | None, ns_sel: Doc | None = None) -> Doc:
    out: Doc = {}
    labels = {f"k8s:{k}": v for k, v in ((sel or {}).get("matchLabels") or {}).items()}
    for k, v in ((ns_sel or {}).get("matchLabels") or {}).items():
        labels[POD_NAMESPACE if k == NAME_LABEL else NS_LABELS + k] = v
    exprs = [{**e, "key": f"k8s:{e['key']}"} for e in (sel or {}).get("matchExpressions") or []]
    if labels:
        out["matchLabels"] = labels
    if exprs:
        out["matchExpressions"] = exprs
    if ns_sel is not None and not (ns_sel.get("matchLabels") or ns_sel.get("matchExpressions")):
        out.setdefault("matchExpressions", []).append({"key": POD_NAMESPACE, "operator": "Exists"})
    return out


def _ports(ports: list[Doc] | None) -> list[Doc]:
    if not ports:
        return []
    return [{"ports": [{"port": str(p.get("port", "0")), "protocol": p.get("protocol", "TCP")} for p in ports]}]


def _rules(k8s_rules: list[Doc], side: str) -> list[Doc]:
    key = "from" if side == "from" else "to"
    out: list[Doc] = []
    for rule in k8s_rules:
        ports = _ports(rule.get("ports"))
        peers = rule.get(key)
        base: Doc = {"toPorts": ports} if ports else {}
        if not peers:
            out.append({**base, f"{side}Entities": ["all"]} if not ports else base)
            continue
        endpoints = [_selector(p.get("podSelector"), p.get("namespaceSelector")) for p in peers if "ipBlock" not in p]
        cidrs = [{"cidr": p["ipBlock"]["cidr"], **({"except": p["ipBlock"]["except"]} if p["ipBlock"].get("except")
                                                   else {})} for p in peers if "ipBlock" in p]  # fmt: skip
        if endpoints:
            out.append({**base, f"{side}Endpoints": endpoints})
        if cidrs:
            out.append({**base, f"{side}CIDRSet": cidrs})
    return out


def to_cilium(policy: Doc) -> Doc:
    spec = policy["spec"]
    out: Doc = {"endpointSelector": _selector(spec.get("podSelector"))}
    types = spec.get("policyTypes") or ["Ingress"]
    if "Ingress" in types:
        out["ingress"] = _rules(spec.get("ingress") or [], "from") or [{}]
    if "Egress" in types:
        out["egress"] = _rules(spec.get("egress") or [], "to") or [{}]
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": dict(policy["metadata"]),
            "spec": out}


def clusterwide() -> list[Doc]:
    """Policies a Cilium cluster's platform team keeps: metadata denied, DNS allowed everywhere."""
    meta = {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
            "metadata": {"name": "deny-cloud-metadata"},
            "spec": {"endpointSelector": {}, "egressDeny": [{"toCIDR": ["169.254.169.254/32"]}]}}
    dns = {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
           "metadata": {"name": "allow-dns"},
           "spec": {"endpointSelector": {}, "enableDefaultDeny": {"egress": False},
                    "egress": [{"toEndpoints": [{"matchLabels": {POD_NAMESPACE: "kube-system",
                                                                  "k8s:k8s-app": "kube-dns"}}],
                                "toPorts": [{"ports": [{"port": "53", "protocol": "ANY"}]}]}]}}
    return [meta, dns]
