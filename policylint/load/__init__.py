"""Reading manifests: files, directories and stdin -> one located, validated cluster model.

The only entry points are `load_paths` and `load_text`. Problems with the input (NP001-NP006)
never raise: they are returned, and everything else in the input is still read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policylint.findings import InputProblem, one_line
from policylint.load.walk import STDIN, Inputs, StdinArg, no_gc
from policylint.model.cluster import Cluster

if TYPE_CHECKING:  # the type only; model.build is imported lazily in _result
    from policylint.model.build import DialectOptions


@dataclass
class LoadResult:
    cluster: Cluster
    problems: list[InputProblem] = field(default_factory=list)
    files_read: int = 0
    documents: int = 0
    skipped_kinds: dict[str, int] = field(default_factory=dict)
    skipped_inputs: list[str] = field(default_factory=list)  # paths not analysed, for the summary
    fatal: bool = False  # some input could not be read at all (the CLI exits 2)


def load_paths(
    paths: Sequence[str], *, default_namespace: str = "default", stdin: StdinArg = None, validate: bool = True,
    options: DialectOptions | None = None,
) -> LoadResult:
    """Read every path (`-` is stdin) into one cluster. Deterministic in file and document order.

    `validate=False` skips the schema check of fields the model does not read (the reachability
    commands use it for speed); fields the model reads are always type-checked.
    """
    from policylint.load.documents import read_paths  # the parser: not needed to read a cached model

    with no_gc():
        return _result(read_paths(paths, stdin), default_namespace, validate, options)


def load_text(text: str, file: str = STDIN, *, default_namespace: str = "default") -> LoadResult:
    """Read manifests from a string, as if it were the file `file` (handy for tests)."""
    from policylint.load.documents import _read_text

    with no_gc():
        inputs = Inputs()
        _read_text(text, file, inputs)
        return _result(inputs, default_namespace)


def _result(inputs: Inputs, default_namespace: str, schema_check: bool = True,
            options: DialectOptions | None = None) -> LoadResult:  # fmt: skip
    # model.build sits one layer above load; the public loading API bundles both on purpose.
    from policylint.load.strict import check
    from policylint.load.unmodelled import problems as not_modelled
    from policylint.load.unmodelled import unmodelled
    from policylint.load.validate import validate
    from policylint.model.build import build_cluster

    problems = list(inputs.problems)
    if schema_check:
        problems.extend(validate(inputs.objects))
    strict = check(inputs.objects)  # always: a typo can turn a rule into allow-all
    problems.extend(strict.problems)
    problems.extend(not_modelled(unmodelled(inputs.skipped_types)))
    objects = [o for o in inputs.objects if id(o) not in strict.rejected] if strict.rejected else inputs.objects
    cluster, more = build_cluster(objects, default_namespace, options)
    problems.extend(more)
    return LoadResult(
        cluster=cluster,
        problems=_unique_sorted(problems),
        files_read=inputs.files_read,
        documents=inputs.documents,
        skipped_kinds=dict(sorted(inputs.skipped_kinds.items())),
        skipped_inputs=sorted(set(inputs.skipped_inputs)),
        fatal=inputs.fatal,
    )


def _unique_sorted(problems: list[InputProblem]) -> list[InputProblem]:
    """Schema validation and the model builder may both flag one value: keep the first (schema)."""
    seen: set[tuple[str, str, int, int]] = set()
    out: list[InputProblem] = []
    for p in problems:
        key = (p.rule, p.span.file, p.span.line, p.span.column)
        if key not in seen:
            seen.add(key)
            out.append(p if p.message.isprintable() else InputProblem(p.rule, p.span, one_line(p.message)))
    return sorted(out, key=lambda p: (p.span.file, p.span.line, p.span.column, p.rule, p.message))


__all__ = ["LoadResult", "load_paths", "load_text"]
