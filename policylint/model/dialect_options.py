"""Settings the dialects' builders take from the config: small, so the config and a cached model
can be read without importing the builders (model/dialects.py, model/build_cilium.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_VERSION = "1.18"
EMPTY_LIST_SINCE = 15  # an explicit empty peer list selects nothing (issue #14; build_cilium_peers.py)
NO_SECTIONS_REJECTED_SINCE = 17  # a rule without ingress/egress sections is rejected (issue #14)


@dataclass(frozen=True, slots=True)
class CiliumOptions:
    """Points where Cilium versions differ (defaults: 1.18). `.policylint.yaml` sets them with
    `cilium: {version: "1.14"}` (and `namespace_labels_widen` on its own)."""

    version: str = DEFAULT_VERSION
    # 1.15+: `fromEndpoints: []` and the like select nothing (before: every peer).
    empty_list_selects_nothing: bool = True
    # 1.17+: a rule with none of ingress/ingressDeny/egress/egressDeny is rejected (before: no effect).
    reject_rule_without_sections: bool = True
    # A CiliumNetworkPolicy peer naming io.cilium.k8s.namespace.labels.* is not confined to the
    # policy's namespace (utils.go getEndpointSelector); older agents confined it (docs kubernetes.rst).
    namespace_labels_widen: bool = True

    @staticmethod
    def for_version(version: str, namespace_labels_widen: bool = True) -> CiliumOptions:
        """The semantics of Cilium `version` ("1.N")."""
        minor = int(version.split(".")[1])
        return CiliumOptions(version, empty_list_selects_nothing=minor >= EMPTY_LIST_SINCE,
                             reject_rule_without_sections=minor >= NO_SECTIONS_REJECTED_SINCE,
                             namespace_labels_widen=namespace_labels_widen)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DialectOptions:
    """Settings a dialect's builder takes from the config (`.policylint.yaml` `cilium:`)."""

    cilium: CiliumOptions = field(default_factory=CiliumOptions)
