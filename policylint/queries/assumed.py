"""What an answer assumed because the input and the settings left it open, said once per run.

Two gaps the sweep over real repositories found silent (issue 12): objects without
metadata.namespace, and dialect policies read without a `cni:` setting.
"""

from __future__ import annotations

from policylint.cni import GENERIC, profiles
from policylint.model.cluster import Cluster


def assumption_notes(cluster: Cluster, namespace: str | None, cni: str) -> list[str]:
    """The notes of both kinds for one cluster as written, under the config's `namespace` and
    `cni` settings (stderr lines)."""
    notes = (namespace_note(cluster, namespace), cni_note(cluster, cni))
    return [n for n in notes if n is not None]


def namespace_note(cluster: Cluster, namespace: str | None) -> str | None:
    """`namespace`: the namespace the user set (option or config), None when left at the default.

    kubectl puts an object without metadata.namespace in the namespace of the current context at
    apply time (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/),
    which the manifests do not say: the analysis places it in `default` and says so.
    """
    count = len(cluster.assumed_namespace)
    if namespace is not None or not count:
        return None
    return (f"note: {count} object(s) without metadata.namespace placed in namespace 'default' "
            "(kubectl would use the current context's); set --default-namespace or `namespace:`")  # fmt: skip


def cni_note(cluster: Cluster, cni: str) -> str | None:
    """Dialect policies analysed without a `cni:` setting are taken as enforced: say by which plugin."""
    if cni != GENERIC or not cluster.dialect_policies:
        return None
    kinds = sorted({(api, kind) for api, kind, _ in cluster.dialect_policies})
    shown = ", ".join(f"{kind} ({_enforcer(api)})" for api, kind in kinds)
    return f"note: no cni set: {shown} taken as enforced; set --cni or `cni:` to the cluster's plugin"


def _enforcer(api: str) -> str:
    titles = [p.title for p in profiles().values() if p.name != GENERIC and p.enforces_api(api)]
    return "as " + " or ".join(titles) + " would" if titles else "as a plugin implementing it would"
