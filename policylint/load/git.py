"""Manifests as they were at a git revision: the blobs under some paths, written to a temporary folder.

The working tree is never touched (no checkout, no stash): `git ls-tree` lists the blobs and
`git cat-file --batch` reads them in one call. Symlinks are skipped.

    snap = snapshot("origin/main", ["deploy/"], tmp)  # inside a repository
    load_paths(snap.paths)                             # the manifests at origin/main
    snap.moved                                         # {tmp/xyz: "."}: where they really lie
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class GitError(Exception):
    """git is missing, the folder is not a repository, or git refused (its last line of stderr)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    paths: list[str]  # the paths to load; only those that exist at the revision
    moved: dict[str, str] = field(default_factory=dict)  # folder the files were written to -> their real place


def git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=True)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}") from exc
    return done.stdout


def toplevel(cwd: Path) -> Path:
    """The root of the working tree that holds `cwd`."""
    return Path(git(["rev-parse", "--show-toplevel"], cwd).decode().strip()).resolve()


def repo_relative(paths: list[str], top: Path) -> list[str]:
    out = []
    for p in paths:
        try:
            out.append(Path(os.path.realpath(p)).relative_to(top).as_posix())
        except ValueError:
            raise GitError(f"{p}: not inside the git repository {top}") from None
    return out


def export(rev: str, rels: list[str], top: Path, dest: Path) -> list[str]:
    """Write the blobs under `rels` at `rev` into `dest`; the paths that exist there."""
    git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    listing = git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", *rels], top).split(b"\0")
    entries: list[tuple[bytes, str]] = []
    for entry in filter(None, listing):
        meta, path = entry.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((oid, path.decode()))
    blobs = git(["cat-file", "--batch"], top, b"".join(oid + b"\n" for oid, _ in entries))
    pos = 0
    for _oid, name in entries:
        header_end = blobs.index(b"\n", pos)
        size = int(blobs[pos:header_end].split()[2])
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[header_end + 1 : header_end + 1 + size])
        pos = header_end + 1 + size + 1
    return [str(dest / r) for r in rels if (dest / r).exists()]


def snapshot(rev: str | None, paths: list[str], tmp: Path, cwd: Path | None = None) -> Snapshot:
    """`paths` at `rev`, written to a new folder inside `tmp`; `rev=None` is the working tree as it is.

    Either way `cwd` (default: the working directory) must lie in a git repository.
    """
    top = toplevel(cwd or Path.cwd())
    if rev is None:
        return Snapshot(list(paths))
    dest = Path(tempfile.mkdtemp(dir=tmp))
    rels = repo_relative(paths, top)
    return Snapshot(export(rev, rels, top, dest), {str(dest): os.path.relpath(top)})
