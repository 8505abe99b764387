"""Manifests as they were at a git revision: the blobs under some paths, written to a temporary folder.

The working tree is never touched (no checkout, no stash): `git ls-tree` lists the blobs and
`git cat-file --batch --filters` reads them in one call, through the same filters (eol,
smudge, Git LFS when installed) a checkout applies. Symlinks are written as symlinks and
submodules as a folder holding a `.git` file, so the directory walk treats both exactly as it
treats the working tree (links leaving the paths and submodules are reported, not read).
File names are bytes to git: they are written with the same bytes, whatever their encoding.

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
    named: tuple[bool, ...] = ()  # for each path asked for: whether it exists at the revision


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


SUBMODULE_MARK = b"gitdir: (a submodule; its files are not part of this repository's revision)\n"


def commit_of(rev: str, top: Path) -> str:
    """The commit id `rev` names; GitError naming `rev` when it names none (a typo must not pass)."""
    try:
        out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top)
    except GitError:
        raise GitError(f"git revision {rev!r} is not a commit in this repository") from None
    return out.decode().strip()


def export(rev: str, rels: list[str], top: Path, dest: Path) -> list[str]:
    """Write the files under `rels` at `rev` into `dest`, as a checkout would; the paths that exist there."""
    commit = commit_of(rev, top)
    listing = git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *rels], top).split(b"\0")
    blobs: list[bytes] = []  # repository paths of regular files, read through the filters below
    for entry in filter(None, listing):
        meta, path = entry.split(b"\t", 1)
        mode, kind, oid = meta.split()
        target = dest / os.fsdecode(path)
        if kind == b"commit":  # a submodule (gitlink): as the walk sees a checked-out one
            target.mkdir(parents=True, exist_ok=True)
            (target / ".git").write_bytes(SUBMODULE_MARK)
        elif kind == b"blob" and mode == b"120000":
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.fsdecode(git(["cat-file", "blob", oid.decode()], top)), target)
        elif kind == b"blob" and b"\n" not in path:  # batch input is one line per object
            blobs.append(path)
    _write_filtered(commit, blobs, top, dest)
    # A named path that is a symlink at `rev` is not followed: the working tree had a folder there.
    return [str(dest / r) for r in rels if os.path.exists(dest / r) and not os.path.islink(dest / r)]


# Attributes under which a checkout's file differs from the stored blob in a way a YAML reader sees
# (eol conversion does not change what YAML reads). https://git-scm.com/docs/gitattributes
_CONTENT_ATTRS = ("filter", "ident", "working-tree-encoding")


def _write_filtered(commit: str, paths: list[bytes], top: Path, dest: Path) -> None:
    """Write `commit:path` under `dest` as a checkout would: one raw batch read, and for the few
    files whose attributes ask for a filter (Git LFS, ident, encodings) git's own conversion.

    (`cat-file --batch --filters` would do both at once, but git 2.39 loses the path in it.)"""
    if not paths:
        return
    filtered = _needs_filters(paths, top)
    raw = [p for p in paths if p not in filtered]
    out = git(["cat-file", "--batch"], top, b"".join(commit.encode() + b":" + p + b"\n" for p in raw))
    pos = 0
    for path in raw:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        pos = header_end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        _write(dest, path, out[pos : pos + size])
        pos += size + 1
    for path in sorted(filtered):
        _write(dest, path, git(["cat-file", "--filters", commit + ":" + os.fsdecode(path)], top))


def _needs_filters(paths: list[bytes], top: Path) -> set[bytes]:
    answer = git(["check-attr", "-z", "--stdin", *_CONTENT_ATTRS], top, b"".join(p + b"\0" for p in paths))
    fields = answer.split(b"\0")
    return {
        fields[i]
        for i in range(0, len(fields) - 2, 3)
        if fields[i + 2] not in (b"unspecified", b"unset")
    }


def _write(dest: Path, path: bytes, data: bytes) -> None:
    target = dest / os.fsdecode(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def snapshot(rev: str | None, paths: list[str], tmp: Path, cwd: Path | None = None) -> Snapshot:
    """`paths` at `rev`, written to a new folder inside `tmp`; `rev=None` is the working tree as it is.

    Either way `cwd` (default: the working directory) must lie in a git repository.
    """
    top = toplevel(cwd or Path.cwd())
    if rev is None:
        return Snapshot(list(paths), named=tuple(os.path.exists(p) for p in paths))
    dest = Path(tempfile.mkdtemp(dir=tmp))
    rels = repo_relative(paths, top)
    found = export(rev, rels, top, dest)
    named = tuple(str(dest / r) in found for r in rels)
    return Snapshot(found, {str(dest): os.path.relpath(top)}, named)


def staged_removal(paths: list[str], cwd: Path | None = None) -> bool:
    """Does the index delete or rename a file under `paths`, compared with HEAD?

    Such a commit can break selectors in files it does not touch (pre-commit passes no deleted
    file). False outside a repository, before the first commit, or when git is missing.
    """
    try:
        top = toplevel(cwd or Path.cwd())
        rels = repo_relative(paths, top)
        out = git(["diff", "--cached", "--name-status", "-M", "-z", "HEAD", "--", *rels], top)
    except GitError:
        return False
    return any(field[:1] in (b"D", b"R") for field in out.split(b"\0") if field)
