"""Metadata of Calico objects: as for every kind, except that a name with capitals or '_' is analysed.

calicoctl and older Calico datastores accepted such names (NCA's Calico corpus has many), while
the Kubernetes API server rejects them; the name is reported (NP002) and the object still read,
since dropping a policy would change the answers more than its name does.
"""

from __future__ import annotations

import re

from policylint.load.fields import Reader
from policylint.load.located_yaml import LMap
from policylint.model.build_meta import Meta, metadata

_STRICT = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LENIENT = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")


def calico_metadata(r: Reader, doc: LMap, kind: str, default_namespace: str) -> Meta:
    meta = doc.get("metadata")
    name = meta.get("name") if isinstance(meta, LMap) else None
    if not isinstance(meta, LMap) or not isinstance(name, str) or len(name) > 253 or _STRICT.fullmatch(name):
        return metadata(r, doc, kind, default_namespace)
    if not _LENIENT.fullmatch(name):
        return metadata(r, doc, kind, default_namespace)
    patched = _copy(doc)
    dict.__setitem__(patched, "metadata", _copy(meta, name=name.lower().replace("_", "-")))
    found = metadata(r, patched, kind, default_namespace)
    r.bad(meta.value_span("name"), "metadata.name", f"{name!r} is not a valid Kubernetes name (capitals or '_'); "
          "the API server rejects it, Calico's own datastore took it: analysed as written")  # fmt: skip
    found.name = name
    return found


def _copy(m: LMap, **items: str) -> LMap:
    out = LMap(m)
    out.file, out.pos, out.entries = m.file, m.pos, m.entries
    for k, v in items.items():
        dict.__setitem__(out, k, v)
    return out
