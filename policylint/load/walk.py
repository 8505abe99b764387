"""Finding the files to read: a directory walk that is bounded, confined and says what it skips.

Files are found recursively (`.yaml`, `.yml`, `.json`), in sorted order, each real file once. A
symlink met in a walk is followed only when its target lies inside one of the paths the user named
(the roots); other links, loops, nested repositories and hidden files holding manifests are NP004
findings. `Inputs` collects what reading finds (load/documents.py fills it). Nothing here parses
YAML: the model cache fingerprints a tree with this walk alone.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from policylint.findings import UNREADABLE_INPUT, InputProblem, Span
from policylint.load.located_yaml import LMap

STDIN = "<stdin>"
EXTENSIONS = (".yaml", ".yml", ".json")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml")
CHARTS = ("Chart.yaml", "Chart.yml")

StdinArg = IO[str] | IO[bytes] | str | bytes | None


@dataclass(slots=True)
class Inputs:
    objects: list[LMap] = field(default_factory=list)  # objects of the kinds read, in input order
    problems: list[InputProblem] = field(default_factory=list)
    files_read: int = 0
    documents: int = 0
    skipped_kinds: dict[str, int] = field(default_factory=dict)
    skipped_inputs: list[str] = field(default_factory=list)
    fatal: bool = False
    # (apiVersion, kind) of objects not read -> where the first was written, how many (load/unmodelled.py)
    skipped_types: dict[tuple[str, str], tuple[Span, int]] = field(default_factory=dict)

    def unreadable(self, name: str, message: str, line: int = 0) -> None:
        self.problems.append(InputProblem(UNREADABLE_INPUT, Span(name, line, 0), message))
        self.skipped_inputs.append(name)
        self.fatal = True


def walk_files(path: str, out: Inputs, roots: tuple[str, ...] | None = None) -> list[str] | None:
    """The files under `path` (itself if a file), before Helm and Kustomize sources are arranged
    (load/sources.py); None when it cannot be read at all.

    `roots` (default: `path` itself) bounds where symlinks met in the walk may lead.
    """
    if not os.path.exists(path):
        out.unreadable(path, "no such file or directory")
        return None
    if not os.path.isdir(path):
        return [path]
    files: list[str] = []
    _walk(path, frozenset(), set(), files, out, roots if roots is not None else (os.path.realpath(path),))
    return files


def inside(target: str, roots: tuple[str, ...]) -> bool:
    """Whether the resolved path `target` is one of `roots` or lies below one."""
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _leaves_roots(entry: os.DirEntry[str], roots: tuple[str, ...], out: Inputs) -> bool:
    """A symlink whose target is outside every root: reported once (NP004), never read."""
    if not entry.is_symlink():
        return False
    target = os.path.realpath(entry.path)
    if inside(target, roots):
        return False
    skipped(entry.path, "symlink leads outside the paths given; not followed", out)
    return True


def skipped(path: str, message: str, out: Inputs, line: int = 0) -> None:
    """An input deliberately not read: one NP004 finding, the rest of the input still analysed."""
    out.problems.append(InputProblem(UNREADABLE_INPUT, Span(path, line, 1 if line else 0), message))
    out.skipped_inputs.append(path)


def _walk(directory: str, ancestors: frozenset[tuple[int, int]], seen: set[tuple[int, int]],
          files: list[str], out: Inputs, roots: tuple[str, ...]) -> None:  # fmt: skip
    try:
        stat = os.stat(directory)
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as err:
        out.unreadable(directory, f"cannot read directory: {err.strerror or err}")
        return
    ancestors = ancestors | {(stat.st_dev, stat.st_ino)}
    for entry in entries:
        if entry.name.startswith("."):
            _hidden(entry, out)  # never read; said when it holds manifests
            continue
        try:
            if _leaves_roots(entry, roots, out):
                continue
            if entry.is_dir() and os.path.lexists(os.path.join(entry.path, ".git")):
                skipped(entry.path, "a git submodule (or nested repository); not read", out)
                continue
            if entry.is_dir():
                st = os.stat(entry.path)
                if (st.st_dev, st.st_ino) in ancestors:
                    out.unreadable(entry.path, "symlink loop: this directory contains itself; not followed")
                    continue
                _walk(entry.path, ancestors, seen, files, out, roots)
            elif entry.name.endswith(EXTENSIONS) and entry.is_file():
                st = os.stat(entry.path)
                if (st.st_dev, st.st_ino) not in seen:  # the same file through two symlinks
                    seen.add((st.st_dev, st.st_ino))
                    files.append(entry.path)
        except OSError as err:
            out.unreadable(entry.path, f"cannot read: {err.strerror or err}")


_VCS = frozenset({".git", ".hg", ".svn", ".jj"})
_MANIFEST_HINT = re.compile(rb'^apiVersion:|^kind:|"apiVersion"\s*:', re.MULTILINE)
_HIDDEN_SCAN_FILES = 200  # a hidden tree is looked into this far: enough to tell, never a full second walk
_PEEK = 65536


def _hidden(entry: os.DirEntry[str], out: Inputs) -> None:
    """Dot-entries are not read (editor files, CI workflows, caches), but `kubectl apply -R` reads
    them (cli-runtime's ExpandPathsToFileVisitors walks every file): one holding manifests is an
    NP004, so the answer never leaves it out silently. Version-control folders are not looked into."""
    if entry.name in _VCS or entry.is_symlink():
        return
    try:
        found = _manifest_files(entry.path) if entry.is_dir() else int(_looks_like_manifests(entry.path))
    except OSError:
        return
    if found:
        what = f"hidden folder holding {found} manifest file(s)" if entry.is_dir() else "hidden file holding manifests"
        skipped(entry.path, f"{what}; not read (names starting with a dot are skipped, while kubectl apply -R "
                             "reads them): give it as a PATH to analyse it", out)  # fmt: skip


def _looks_like_manifests(path: str) -> bool:
    if not path.endswith(EXTENSIONS):
        return False
    with open(path, "rb") as fh:
        return _MANIFEST_HINT.search(fh.read(_PEEK)) is not None


def _manifest_files(directory: str) -> int:
    count = looked = 0
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in _VCS)
        for name in sorted(names):
            looked += 1
            if looked > _HIDDEN_SCAN_FILES:
                return count
            with contextlib.suppress(OSError):
                count += _looks_like_manifests(os.path.join(root, name))
    return count




@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic GC: located values hold no cycles, and with many small containers
    alive the collector's passes would cost more than the parse itself (measured: 2x)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
