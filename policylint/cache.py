"""A cache of the loaded model, so a second question about an unchanged tree skips parsing.

Safety, in order of importance:

- The key is the content of every file the loader would read (SHA-256 of each, with its name),
  the paths as given, the working directory, the loader options, the Python version, and
  policylint's own code (the version, and the name, size and mtime of every file of the installed
  package: a checkout or upgrade that changes how manifests are read, with the same version
  string, must not be answered from a model the old code built). Any edit, added or removed file
  gives another key, and the tree is loaded afresh.
- One cache file per tree (named by a hash of the working directory and the paths): trees never
  share an entry, and a tree only ever replaces its own.
- The directory is created 0700 and files 0600 (written to a temporary file, then renamed). An
  entry is only read from a directory owned by the current user that nobody else may write to,
  since loading it runs pickle.
- Standard input is never cached; `--no-cache` (or POLICYLINT_NO_CACHE=1) turns the cache off.
- At most MAX_ENTRIES trees are kept: writing a new entry removes the least recently used ones
  (a hit marks its entry used), so the directory does not grow with every path set ever given.

Location: $POLICYLINT_CACHE_DIR, else $XDG_CACHE_HOME/policylint, else ~/.cache/policylint.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import operator
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import policylint
from policylint import __version__
from policylint.load import LoadResult
from policylint.load.walk import CHARTS, KUSTOMIZATIONS, Inputs, walk_files

MAX_ENTRIES = 32
FORMAT = 4  # bump when the pickled layout changes meaning (4: callers, derived, endpoints, service accounts)


def cache_dir() -> Path:
    explicit = os.environ.get("POLICYLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policylint"


def disabled_by_env() -> bool:
    return os.environ.get("POLICYLINT_NO_CACHE", "") not in ("", "0")


_RENDERED = frozenset(KUSTOMIZATIONS + CHARTS)


def _files(paths: Sequence[str]) -> list[str] | None:
    """The files the loader would read, or None when the walk meets any problem or a source that is
    rendered (never cached): a Kustomize build can read remote bases and run tools, so its output
    is no function of the files here; a Helm chart is an NP802 either way."""
    probe = Inputs()
    files: list[str] = []
    for path in paths:
        found = walk_files(path, probe)
        if found is None or probe.problems or any(os.path.basename(f) in _RENDERED for f in found):
            return None
        files.extend(found)
    return files


def fingerprint(paths: Sequence[str], options: str) -> tuple[str, str] | None:
    """(tree name, content key) for `paths`; None when they cannot be cached."""
    if "-" in paths:
        return None
    files = _files(paths)
    if files is None:
        return None
    where = hashlib.sha256(repr((FORMAT, os.getcwd(), list(paths), options)).encode()).hexdigest()[:32]
    key = hashlib.sha256(repr((FORMAT, __version__, code_stamp(_PACKAGE), sys.version, where)).encode())
    for file in files:
        try:
            data = Path(file).read_bytes()
        except OSError:
            return None
        key.update(file.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(data).digest())
    return where, key.hexdigest()


_PACKAGE = os.path.dirname(os.path.abspath(policylint.__file__))


@functools.cache
def code_stamp(root: str) -> str:
    """The name, size and mtime of every code and data file under `root` (3 ms for the package)."""
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".yaml", ".json")):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, root)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _private_dir(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def _read(file: Path, key: str) -> LoadResult | None:
    if not _private_dir(file.parent):
        return None
    try:
        with file.open("rb") as fh:
            was = gc.isenabled()
            gc.disable()  # unpickling a model makes many objects and no cycles worth collecting
            try:
                stored_key, result = pickle.load(fh)
                # In the command-line process the model lives as long as the command: out of the
                # collector's sight, it is not walked again by every later collection (0.2 s per
                # full one at 5,000 workloads). Elsewhere (tests, library callers, many loads in one
                # process) freezing would also keep every cycle not yet collected, for good.
                if policylint.FREEZE_LOADED_MODEL:
                    gc.freeze()
            finally:
                if was:
                    gc.enable()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None
    return result if stored_key == key and isinstance(result, LoadResult) else None


_Reduced = tuple[type, tuple[Any, ...]]
_Getter = Callable[[Any], tuple[Any, ...]]
_GETTERS: dict[type, _Getter | None] = {}


def _field_getter(cls: type) -> _Getter | None:
    """A function giving the fields a dataclass can be rebuilt from by calling it with them in order,
    or None when its __init__ does more than store them (init=False or keyword-only fields,
    __post_init__) or `cls` is no dataclass."""
    if not dataclasses.is_dataclass(cls):
        return None
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or not all(f.init and not f.kw_only for f in fields):
        return None
    names = [f.name for f in fields]
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return operator.attrgetter(*names) if names else lambda obj: ()


class _ModelPickler(pickle.Pickler):
    """Model objects pickled as `Class(*fields)`.

    The default for a slotted dataclass is a state restored field by field through
    `dataclasses.fields()`: 60 % of reading a cached model at 5,000 workloads (108 k objects, most of
    them Spans). Calling the class rebuilds the same object in a third of the time. The fields are
    read by one attrgetter per class (writing the entry is then a third faster).
    """

    def reducer_override(self, obj: Any) -> _Reduced | Any:
        cls = type(obj)
        try:
            getter = _GETTERS[cls]
        except KeyError:
            getter = _GETTERS[cls] = _field_getter(cls)
        return NotImplemented if getter is None else (cls, getter(obj))


def _write(file: Path, key: str, result: LoadResult) -> None:
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private_dir(file.parent):
            return
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                _ModelPickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump((key, result))
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # a cache that cannot be written only costs time


def cached_load(paths: Sequence[str], options: str, load: Callable[[], LoadResult]) -> LoadResult:
    """`load()`, or the result stored for the same tree with the same contents and `options`."""
    if disabled_by_env():
        return load()
    fp = fingerprint(paths, options)
    if fp is None:
        return load()
    where, key = fp
    file = cache_dir() / f"model-{where}.pickle"
    hit = _read(file, key)
    if hit is not None:
        _touch(file)
        return hit
    result = load()
    _write(file, key, result)
    _evict(file.parent, keep=file)
    return result


def _touch(file: Path) -> None:
    with contextlib.suppress(OSError):  # only the eviction order would suffer
        os.utime(file)


def _evict(directory: Path, keep: Path) -> None:
    """Remove the least recently used entries beyond MAX_ENTRIES (never `keep`, just written)."""
    try:
        entries = [(p.stat().st_mtime_ns, p) for p in directory.glob("model-*.pickle") if p != keep]
        for _, old in sorted(entries, reverse=True)[MAX_ENTRIES - 1 :]:
            old.unlink()
    except OSError:
        pass  # another policylint removed it first, or the directory went away
