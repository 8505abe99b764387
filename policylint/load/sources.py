"""Directories that are sources of manifests rather than manifests: Helm charts and Kustomize.

A Helm chart (a directory with Chart.yaml) holds Go templates: they are skipped with one NP802
message saying what to run. A Kustomize root (a kustomization.yaml that no other kustomization
in the input uses as a resource) is rendered with `kustomize build` or `kubectl kustomize`,
whichever is installed, because it can set namespaces, names and labels that its files do not
carry (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/). Its
files, and those of the bases it uses, are then not read on their own. Without either tool,
or when rendering fails, the root is skipped with one NP802 message saying what to run. A
kustomization that only lists local files changes nothing: its files are read as they are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any, Protocol

import yaml

from policylint.findings import InputProblem, Span
from policylint.load.walk import CHARTS, KUSTOMIZATIONS

RENDERED_SOURCE = "NP802"
_PLAIN_KEYS = frozenset({"apiVersion", "kind", "resources"})
_TIMEOUT_SECONDS = 60


class _Out(Protocol):
    problems: list[InputProblem]
    skipped_inputs: list[str]


Reader = Callable[[str, str, Any], None]  # (text, file name, inputs)


def arrange(files: list[str], out: Any, read_text: Reader) -> list[str]:
    """The files to read plainly; Helm charts are reported and Kustomize roots rendered into `out`."""
    charts = sorted({os.path.normpath(os.path.dirname(f)) for f in files if os.path.basename(f) in CHARTS})
    for chart in charts:
        _note(out, os.path.join(chart, "Chart.yaml"),
              f"a Helm chart: its templates are not manifests until rendered; run `helm template {chart} "
              "| policylint lint -` to analyse it (files skipped)")  # fmt: skip
    files = [f for f in files if not _under(f, charts)]
    kust = {os.path.normpath(os.path.dirname(f)): _read_yaml(f) for f in files if os.path.basename(f) in KUSTOMIZATIONS}
    if not kust:
        return files
    used = {ref for d, k in kust.items() for ref in _local_refs(d, k)}
    owned: set[str] = set()
    for directory, spec in sorted(kust.items()):
        if isinstance(spec, dict) and spec.get("kind") == "Component":
            owned.add(directory)  # patches for the roots that include it, never built alone
            continue
        if directory in used or (isinstance(spec, dict) and set(spec) <= _PLAIN_KEYS and _files_only(directory, spec)):
            continue  # a base (rendered with its root) or a plain list of files (read as they are)
        owned.add(directory)
        _render(directory, out, read_text)
    owned -= used - set(kust)
    covered = owned | {ref for d in owned for ref in _closure(d, kust)}
    return [f for f in files if not _under(f, covered) and os.path.normpath(f) not in covered
            and os.path.basename(f) not in KUSTOMIZATIONS]  # fmt: skip


def _render(directory: str, out: Any, read_text: Reader) -> None:
    where = os.path.join(directory, "kustomization.yaml")
    tool = shutil.which("kustomize")
    command = [tool, "build", directory] if tool else None
    if command is None and (kubectl := shutil.which("kubectl")):
        command = [kubectl, "kustomize", directory]
    run = f"kustomize build {directory} | policylint lint -"
    if command is None:
        _note(out, where, f"a Kustomize root, which can set namespaces and labels its files lack; neither kustomize "
                          f"nor kubectl is installed: run `{run}` (files skipped)")  # fmt: skip
        return
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        _note(out, where, f"a Kustomize root that could not be rendered ({err}); run `{run}` (files skipped)")
        return
    if done.returncode != 0:
        reason = _reason(done.stderr)
        _note(out, where, f"a Kustomize root that `{' '.join(command[1:])}` could not render ({reason}); "
                          f"run `{run}` where it can (files skipped)")  # fmt: skip
        return
    read_text(done.stdout, f"{directory}{os.sep}(kustomize build)", out)


def _reason(stderr: str) -> str:
    compact = " ".join(stderr.split()).removesuffix(" >")
    if "resolve host" in compact or "no such host" in compact:
        return "its remote resources need network access"
    return compact[-200:] or "no output"


def _note(out: _Out, file: str, message: str) -> None:
    out.problems.append(InputProblem(RENDERED_SOURCE, Span(file, 1, 1), message))
    out.skipped_inputs.append(os.path.dirname(file))


def _read_yaml(file: str) -> Any:
    try:
        with open(file, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _entries(spec: Any) -> list[str]:
    if not isinstance(spec, dict):
        return []
    out: list[str] = []
    for key in ("resources", "bases", "components"):
        value = spec.get(key)
        out.extend(v for v in value if isinstance(v, str)) if isinstance(value, list) else None
    return out


def _local_refs(directory: str, spec: Any) -> list[str]:
    return [os.path.normpath(os.path.join(directory, e)) for e in _entries(spec) if "://" not in e]


def _files_only(directory: str, spec: Any) -> bool:
    return all(os.path.isfile(os.path.join(directory, e)) for e in _entries(spec))


def _closure(directory: str, kust: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [directory]
    while todo:
        current = todo.pop()
        for ref in _local_refs(current, kust.get(current)):
            if ref not in seen:
                seen.add(ref)
                todo.extend([ref] if ref in kust else [])
    return seen


def _under(file: str, directories: set[str] | list[str]) -> bool:
    file = os.path.normpath(file)
    return any(file.startswith(d.rstrip(os.sep) + os.sep) for d in directories)
