"""Policy dialects beyond NetworkPolicy v1: each builds its objects into tiers of the rule form.

A dialect is a function from its located objects (already filtered by load/kinds.py) to the
tiers it contributes and its input problems; the engine only sees model/rule_form.py types.
Register a dialect by adding its builder to DIALECTS (one line each).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from policylint.load.fields import Reader
from policylint.load.located_yaml import LMap
from policylint.model.build_calico import build_calico
from policylint.model.build_cilium import build_cilium
from policylint.model.build_network_policy_api import network_policy_api_tiers
from policylint.model.dialect_options import DialectOptions
from policylint.model.endpoints import ServiceEndpoints
from policylint.model.rule_form import Tier
from policylint.model.workload import Namespace, Service

# (reader, objects of the dialect's kinds, default namespace, namespaces read) -> tiers.
# Problems go to reader.problems, located at their file and line, like every builder's.
DialectBuilder = Callable[[Reader, Sequence[LMap], str, Sequence[Namespace]], list[Tier]]

DIALECTS: tuple[DialectBuilder, ...] = (
    network_policy_api_tiers,  # ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy
    build_cilium,  # CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy
    build_calico,  # projectcalico.org/v3
)


def build_tiers(
    r: Reader, objects: Sequence[LMap], default_namespace: str, namespaces: Sequence[Namespace],
    options: DialectOptions | None = None, services: Sequence[Service] = (),
    endpoints: Sequence[ServiceEndpoints] = (),
) -> tuple[Tier, ...]:
    """Every dialect's tiers, merged by name, in evaluation order (rank, then name). `services` and
    `endpoints`: the input's Services and their EndpointSlices (Cilium resolves toServices with them)."""
    opts = options or DialectOptions()
    builders = [partial(build_cilium, options=opts.cilium, services=services, endpoints=endpoints)
                if b is build_cilium else b
                for b in DIALECTS]  # fmt: skip
    tiers: list[Tier] = []
    for build in builders:
        tiers.extend(build(r, objects, default_namespace, namespaces))
    return tuple(sorted(tiers, key=lambda t: (t.rank, t.name)))
