"""Input discovery and reading: paths and stdin -> the located objects of the kinds we read.

Files are found recursively (`.yaml`, `.yml`, `.json`; hidden entries skipped), in sorted
order, each real file once. A symlink found in a walk is followed only when its target lies
inside one of the paths the user named (the roots): a committed link to `/` or to another
checkout is reported (NP004, one finding per link) and not read. A file that cannot be read
or decoded is reported and skipped; the others are still read. `kind: List` and every
`*List` kind are unwrapped; their items keep their own spans.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Sequence

from policylint.findings import (
    SCHEMA_VIOLATION,
    UNREADABLE_INPUT,
    UNSUPPORTED_API_VERSION,
    YAML_SYNTAX,
    InputProblem,
    Span,
)
from policylint.load.kinds import is_dialect_kind, read_as
from policylint.load.located_yaml import LMap, LSeq
from policylint.load.stream import parse_stream
from policylint.load.walk import EXTENSIONS, STDIN, Inputs, StdinArg, inside, skipped, walk_files

__all__ = ["EXTENSIONS", "STDIN", "Inputs", "StdinArg", "discover", "inside", "read_paths", "walk_files"]

WORKLOAD_KINDS = ("Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
                  "ReplicationController")  # fmt: skip
# The apiVersion each kind read is served under by current Kubernetes releases.
API_VERSIONS = {
    "Namespace": "v1",
    "Pod": "v1",
    "ReplicationController": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "EndpointSlice": "discovery.k8s.io/v1",
    "Endpoints": "v1",
}
NOT_A_MANIFEST = "(not a manifest)"
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\n"  # https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md


def read_paths(paths: Sequence[str], stdin: StdinArg = None) -> Inputs:
    out = Inputs()
    roots = tuple(os.path.realpath(p) for p in paths if p != "-")
    for path in paths:
        before = (out.documents, len(out.problems))
        if path == "-":
            _read_stdin(stdin, out)
            continue
        files = discover(path, out, roots)
        if files is None:
            continue
        for file in files:
            _read_file(file, out)
        if (out.documents, len(out.problems)) == before and path not in out.skipped_inputs:
            what = "directory" if os.path.isdir(path) else "file"
            where = Span(path, 1 if what == "file" else 0, 0)
            message = f"no Kubernetes manifest found in this {what}"
            out.problems.append(InputProblem(UNREADABLE_INPUT, where, message))
    return out


def discover(path: str, out: Inputs, roots: tuple[str, ...] | None = None) -> list[str] | None:
    """The files to read under `path` (itself if a file); None when it cannot be read at all.
    Helm charts are reported and Kustomize roots rendered into `out` (load/sources.py)."""
    files = walk_files(path, out, roots)
    if files is None or not os.path.isdir(path):
        return files
    from policylint.load.sources import arrange  # sources renders through _read_text below

    return arrange(files, out, _read_text)


def _read_file(file: str, out: Inputs) -> None:
    try:
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as err:
        out.unreadable(file, f"cannot read file: {err.strerror or err}")
        return
    if data.startswith(LFS_POINTER):
        skipped(file, "a Git LFS pointer, not the file's content (fetch it with git lfs pull); not read", out, 1)
        return
    text = decode(data, file, out)
    if text is not None:
        _read_text(text, file, out)


def _read_stdin(stdin: StdinArg, out: Inputs) -> None:
    source = stdin if stdin is not None else sys.stdin.buffer
    data = source if isinstance(source, (str, bytes)) else source.read()
    if isinstance(data, str) and not _encodable(data):
        # Python reads stdin with errors="surrogateescape": undecodable bytes arrive as lone
        # surrogates. Turn them back into bytes, so they are reported as a file's would be.
        data = data.encode("utf-8", "surrogateescape" if _escaped_bytes_only(data) else "surrogatepass")
    text = data if isinstance(data, str) else decode(data, STDIN, out)
    if text is None:
        return
    if not text.strip():
        out.unreadable(STDIN, "standard input is empty")
        return
    _read_text(text, STDIN, out)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escaped_bytes_only(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def decode(data: bytes, file: str, out: Inputs) -> str | None:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16/32, as YAML allows; else NP001."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    nul = data.find(b"\x00")
    if nul >= 0:
        _undecodable(file, data, nul, "contains a NUL byte (a binary file?)", out)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        _undecodable(file, data, err.start, f"is not valid UTF-8 (byte 0x{bad})", out)
        return None


def _undecodable(file: str, data: bytes, index: int, what: str, out: Inputs) -> None:
    line = data.count(b"\n", 0, index) + 1
    column = index - (data.rfind(b"\n", 0, index) + 1) + 1
    message = f"the file {what}; file skipped"
    out.problems.append(InputProblem(YAML_SYNTAX, Span(file, line, column), message))
    out.skipped_inputs.append(file)


def _read_text(text: str, file: str, out: Inputs) -> None:
    out.files_read += 1
    stream = parse_stream(text, file)
    out.problems.extend(stream.problems)
    for doc in stream.documents:
        _take(doc.value, out)


def _take(value: object, out: Inputs) -> None:
    """Keep one object of a kind read; unwrap Lists; count the rest."""
    if not isinstance(value, LMap):
        _skip(NOT_A_MANIFEST, out)
        return
    kind = value.get("kind")
    items = value.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, LSeq):
        for item in items:
            _take(_with_kind(item, kind, value.get("apiVersion")), out)
        return
    out.documents += 1
    if not isinstance(kind, str):
        if "metadata" in value:  # looks like an object that forgot its kind
            problem = "a Kubernetes object needs a string 'kind'"
            out.problems.append(InputProblem(SCHEMA_VIOLATION, value.span, problem))
        _skip(NOT_A_MANIFEST, out)
        return
    if read_as(value.get("apiVersion"), kind) != value.get("apiVersion"):
        value["apiVersion"] = read_as(value.get("apiVersion"), kind)  # same kinds and spec (load/kinds.py)
    if is_dialect_kind(value.get("apiVersion"), kind):
        out.objects.append(value)
        return
    expected = API_VERSIONS.get(kind)
    api_version = value.get("apiVersion")
    if expected is None or foreign_group(api_version, kind, expected):
        # A kind of another API group (projectcalico.org/v3 NetworkPolicy) is not an old version of ours.
        _skip(kind if expected is None else f"{kind} ({api_version})", out, value)
        return
    if api_version != expected:
        _wrong_api_version(value, kind, api_version, expected, out)
        return
    out.objects.append(value)


def _with_kind(item: object, list_kind: str, api_version: object) -> object:
    """Items of a typed list (`PodList`, as the API returns them) omit kind and apiVersion."""
    if isinstance(item, LMap) and list_kind != "List" and "kind" not in item:
        item["kind"] = list_kind[: -len("List")]
        if "apiVersion" not in item and api_version is not None:
            item["apiVersion"] = api_version
    return item


def _wrong_api_version(value: LMap, kind: str, api_version: object, expected: str, out: Inputs) -> None:
    if api_version is None:
        message = f"{kind} needs 'apiVersion: {expected}'"
        out.problems.append(InputProblem(SCHEMA_VIOLATION, value.key_span("kind"), message))
    else:
        message = f"{kind} apiVersion {api_version!r} is not supported (use {expected}); object skipped"
        where = value.value_span("apiVersion")
        out.problems.append(InputProblem(UNSUPPORTED_API_VERSION, where, message))
    _skip(f"{kind} ({api_version})", out)


def foreign_group(api_version: object, kind: str, expected: str) -> bool:
    """An apiVersion of a group that never served this kind (retired versions stay NP003)."""
    if not isinstance(api_version, str) or "/" not in api_version:
        return False
    group = api_version.rpartition("/")[0]
    ours = {expected.rpartition("/")[0]} | ({"extensions"} if kind in _ONCE_IN_EXTENSIONS else set())
    return group not in ours


_ONCE_IN_EXTENSIONS = frozenset({"NetworkPolicy", "Deployment", "DaemonSet", "ReplicaSet"})


def _skip(kind: str, out: Inputs, value: LMap | None = None) -> None:
    out.skipped_kinds[kind] = out.skipped_kinds.get(kind, 0) + 1
    if value is not None:
        key = (str(value.get("apiVersion")), str(value.get("kind")))
        span, count = out.skipped_types.get(key, (value.span, 0))
        out.skipped_types[key] = (span, count + 1)
