"""The cluster as the configured network plugin enforces it: what every command evaluates.

Staged Calico policies are left out unless `with_staged`; policies of kinds the plugin does not
enforce (`cni:`, policylint/cni/profiles.json) are left out too. Rules still see the policies
as written (RuleContext.written), so they can say which ones have no effect.
"""

from __future__ import annotations

from policylint.cni import GENERIC, enforced, profile
from policylint.config import Config
from policylint.model.calico_staged import with_staged, without_staged
from policylint.model.cluster import Cluster


def evaluated(cluster: Cluster, config: Config) -> Cluster:
    base = with_staged(cluster) if config.with_staged else without_staged(cluster)
    cni = profile(config.cni)
    if cni.name == GENERIC:  # every kind enforced: the dialect table (and its YAML) is not needed
        return base
    from policylint.load.kinds import DIALECT_KINDS

    return enforced(base, cni, DIALECT_KINDS)
