"""The library surface: what the `policylint` commands compute, without options, output or exit codes.

    from policylint import api

    report = api.lint(["deploy/"])                                            # findings.Report
    answer = api.query(["deploy/"], "shop/frontend", "shop/api", port=9000)   # queries.reach.Answer
    matrix = api.matrix(["deploy/"])                                          # engine.matrix.Matrix
    rows = api.matrix_rows(["deploy/"])                  # the same connections, in order, as computed
    impact = api.diff("old/", "deploy/")                                      # queries.impact.Impact
    impact = api.diff_git("origin/main", None, ["deploy/"])                   # working tree vs origin/main

Inputs are paths (files, directories; `-` is stdin, given to `load`) or an `Input` that `load`
returned, so one loading serves several questions. The config defaults to the built-in one; read
a `.policylint.yaml` with `load_config(path)`. The results are what `policylint.reporters` render.

Errors: `InputError` when no input could be read at all (or git could not read a revision),
`ConfigError` for a bad config, `EndpointError` for a query endpoint that does not parse.
An input that is only partly readable is no error: its problems are in `Input.loaded.problems`
(and are NP0xx findings of `lint`).
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from policylint.cache import cached_load
from policylint.config import Config, ConfigError, find_config, load_config
from policylint.enforced import evaluated
from policylint.engine.bitset import bit_indices
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.engine.matrix import Connection, Matrix, compute_matrix, iter_connections
from policylint.findings import Finding, Report
from policylint.load import LoadResult, load_paths
from policylint.model.cluster import Cluster
from policylint.model.declared import with_declared
from policylint.model.dialect_options import DialectOptions
from policylint.model.policy import Protocol
from policylint.queries.endpoints import EndpointError, EndpointSpec, resolve
from policylint.queries.reach import Answer, connected_pairs, extra_networks, is_pair, reach
from policylint.solver import SOLVER, Solver

if TYPE_CHECKING:
    from policylint.changes import Side
    from policylint.engine.smt import SmtEngine
    from policylint.load.git import Snapshot
    from policylint.queries.exposure import ExposureReport
    from policylint.queries.impact import Impact
    from policylint.queries.service_query import ServiceAnswer
    from policylint.queries.witness import SymbolicAnswer

__all__ = [
    "Answer", "Config", "ConfigError", "EndpointError", "ExposureReport", "Impact", "Input", "InputError", "Matrix",
    "Protocol", "Report", "SOLVER", "ServiceAnswer", "Solver", "cluster_roots", "config_paths", "diff", "diff_git",
    "exposure", "find_config", "is_service", "lint", "load", "load_config", "matrix", "matrix_rows", "query",
    "query_service",
]  # fmt: skip

# Imported when first used, so a command pays only for what it asks (a cached `matrix` or `query`
# never imports the lint runner, the diff or the exposure code: tests/perf/test_startup.py).
_LAZY = {
    "ExposureReport": "policylint.queries.exposure",
    "Impact": "policylint.queries.impact",
    "ServiceAnswer": "policylint.queries.service_query",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


STDIN = "<stdin>"
Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


class InputError(Exception):
    """No input could be analysed: nothing was readable, a path is missing, or git failed."""


@dataclass(frozen=True, slots=True)
class Input:
    """Loaded manifests, ready for any of the questions below."""

    loaded: LoadResult
    sources: Mapping[str, str] = field(default_factory=dict)  # texts not in files (stdin), for comment suppressions


def load(paths: Paths, config: Config | None = None, *, stdin: bytes | str | None = None,
         validate: bool = True, cache: bool = False) -> Input:  # fmt: skip
    """Read `paths` (`-` is `stdin`, bytes or text) into one cluster; InputError when nothing could be read.

    `validate=False` skips the schema check of fields the model does not read (the reachability
    questions do not need it). `cache=True` reuses the model loaded last time from the same,
    unchanged files (policylint/cache.py says when it is safe).
    """
    config = _config(config)
    names = _names(paths)
    namespace = config.namespace or "default"

    options = DialectOptions(cilium=config.cilium)

    def fresh() -> LoadResult:
        return load_paths(names, default_namespace=namespace, stdin=stdin, validate=validate, options=options)

    loaded = cached_load(names, repr((namespace, validate, options)), fresh) if cache and stdin is None else fresh()
    loaded = _declared(loaded, config)
    # An unreadable input is an NP004 finding and the rest is still analysed; only when nothing at
    # all could be read is it an input error.
    if loaded.fatal and not loaded.files_read and not loaded.documents:
        reasons = "; ".join(f"{p.span}: {p.message}" for p in loaded.problems) or str(loaded.fatal)
        raise InputError(f"no input could be analysed: {reasons}")
    if stdin is None or "-" not in names:
        return Input(loaded)
    text = stdin.decode("utf-8", errors="replace") if isinstance(stdin, bytes) else stdin
    return Input(loaded, {STDIN: text})


def config_paths(config: Config) -> list[str]:
    """The config's `paths:` (relative to the config file) as paths from the working directory."""
    if not config.paths or config.source is None:
        return []
    base = config.source.parent
    return [p if Path(p).is_absolute() else os.path.relpath(base / p) for p in config.paths]


# --- lint -----------------------------------------------------------------------------------------


def lint(source: Paths | Input, config: Config | None = None, *, only: Sequence[str] | None = None,
         debug: bool = False) -> Report:  # fmt: skip
    """Lint the input as one cluster under `config`.

    `only`: report just the findings in these files (the cluster is still all of the input; see
    `cluster_roots`). `debug`: a rule that crashes raises instead of becoming an error finding.
    """
    config = _config(config)
    given = _input(source, config)
    from policylint import runner  # the rule catalogue: only lint needs it

    report = runner.lint(given.loaded, config, sources=given.sources, debug=debug)
    if only is None:
        return report
    wanted = {os.path.realpath(f) for f in only}
    kept = [f for f in report.findings if os.path.realpath(f.span.file) in wanted]
    return replace(report, findings=kept)


def cluster_roots(files: Sequence[str], config: Config) -> list[str]:
    """What to load to lint `files` in context (pre-commit passes only the changed files): the
    config's `paths`, plus the files that lie outside them; just `files` when the config has none."""
    if not config.paths:
        return list(files)
    roots = config_paths(config)
    real = [os.path.realpath(r).rstrip(os.sep) for r in roots]
    outside = [f for f in files if not any(_inside(os.path.realpath(f), r) for r in real)]
    return roots + outside


def removal_findings(roots: Sequence[str], config: Config) -> list[Finding]:
    """When the index deletes or renames a manifest under `roots`: the findings new since HEAD,
    wherever they are (deleting a workload can leave a policy in another file selecting nothing).
    Else nothing: the pre-commit hook's usual report, the findings in the changed files, stands."""
    from policylint.load.git import staged_removal

    if not roots or not staged_removal(list(roots), Path.cwd()):
        return []
    try:
        impact = diff_git("HEAD", None, roots, config, with_lint=True, smt=None)
    except InputError:
        return []  # the lint itself reports what cannot be read
    return list(impact.new_findings or ())


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


# --- reachability -----------------------------------------------------------------------------------


def query(source: Paths | Input, src: str, dst: str, config: Config | None = None, *, port: int | None = None,
          protocol: Protocol | None = None, smt: bool = True, smt_timeout_ms: int = 5000,
          evaluators: dict[tuple[str, ...], Evaluator] | None = None, ports: str | None = None,
          namespace: str | None = None, explain_sets: bool = False, stream_pairs: bool = False) -> Answer:  # fmt: skip
    """Can `src` reach `dst` (on `port`/`protocol`; default: on anything), and which policies decide.

    Endpoints: `ns/name`, `ns/deploy/name`, `deploy/name` (in `namespace`, else the config's),
    `ns:selector`, `*:selector`, an IP or CIDR (a pod's status.podIP is that pod), `any`.
    `ports`: instead of `port`, a list such as `80,443`, `9000-9100`, `http`, `53/UDP`. With
    `smt`, selector and `any` endpoints are also asked of z3, about pods the input does not have.
    With `explain_sets`, a set answer also says, grouped, which workloads can and cannot connect,
    with the deciding policies (`Answer.explained`). `evaluators`, kept by the caller across
    questions on one `Input`, saves rebuilding the evaluator for each. With `stream_pairs`, a set
    answer leaves `pairs` empty and gives them in `pair_stream`, made as they are iterated.
    """
    from policylint.queries.explain import want_of
    from policylint.queries.service_query import service_ref
    from policylint.queries.set_explain import explain_set

    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"{port} is not a port number (1-65535)")
    config = _config(config)
    cluster = evaluated(_input(source, config, validate=False).loaded.cluster, config)
    nets = extra_networks([src, dst])
    key = tuple(sorted(str(n) for n in nets))
    ev = evaluators.get(key) if evaluators is not None else None
    if ev is None or ev.cluster is not cluster:
        ev = Evaluator(cluster, config.assumptions, nets)
        if evaluators is not None:
            evaluators[key] = ev
    home = namespace or config.namespace or "default"
    if service_ref(cluster, dst) is not None:
        raise EndpointError(f"{dst!r} is a Service: ask query_service (the CLI's query does)")
    notes: list[str] = []
    src_spec, dst_spec = _source(ev, cluster, src, home, notes), resolve(ev, dst, home)
    want = want_of(port, protocol)
    if ports is not None:
        want = _wanted_ports(ev, ports, dst_spec)
    if stream_pairs and not is_pair(ev, src_spec, dst_spec):
        from policylint.queries.pair_stream import PairStream

        pair_stream = PairStream(ev, src_spec, dst_spec, want)
        union = pair_stream.union()
        answer = Answer(src_spec, dst_spec, want, bool(union), union, pair_stream=pair_stream)
    else:
        answer = reach(ev, src_spec, dst_spec, want)
    answer.notes.extend(notes)
    if explain_sets and answer.egress is None and answer.ingress is None:
        answer.explained = explain_set(ev, answer, connected_pairs(ev, src_spec, dst_spec, want), want)
    if smt and (src_spec.symbolic or dst_spec.symbolic):
        budget = max(10.0, smt_timeout_ms / 100)
        from policylint.queries.witness import symbolic  # imports z3 (50 ms): only for symbolic endpoints

        _add_symbolic(answer, symbolic(cluster, config.assumptions, src_spec, dst_spec, want, smt_timeout_ms, budget))
    return answer


def is_service(source: Paths | Input, endpoint: str, config: Config | None = None) -> bool:
    """Is `endpoint` written as a Service (svc/NS/NAME, NS/svc/NAME, NAME.NS[.svc.cluster.local])?
    `svc/NAME` is a workload where the input has a namespace `svc`."""
    from policylint.queries.service_query import service_ref

    config = _config(config)
    return service_ref(_input(source, config, validate=False).loaded.cluster, endpoint) is not None


def query_service(source: Paths | Input, src: str, dst: str, config: Config | None = None, *,
                  port: str | None = None, namespace: str | None = None) -> ServiceAnswer:  # fmt: skip
    """Can `src` reach the Service `dst` on Service port `port` (a number, name, `53/UDP`, list;
    None: the port `dst` names as `NAME.NS:PORT`, else every port), asked of each backend on its
    target port (queries/service_query.py).
    EndpointError when `dst` is no Service of the input (with the closest name) or has no such port."""
    from policylint.queries.service_query import answer_service, endpoint_networks, find_service, service_ref

    config = _config(config)
    cluster = evaluated(_input(source, config, validate=False).loaded.cluster, config)
    home = namespace or config.namespace or "default"
    ref = service_ref(cluster, dst)
    if ref is None:
        raise EndpointError(f"{dst!r} is not a Service: write svc/NAMESPACE/NAME or NAME.NAMESPACE")
    svc = find_service(cluster, ref, home)
    ev = Evaluator(cluster, config.assumptions, extra_networks([src]) + endpoint_networks(cluster, svc))
    notes: list[str] = []
    if port is not None and ref.port is not None and port != ref.port:
        raise EndpointError(f"{dst!r} names port {ref.port} and --port says {port}: give one")
    def smt() -> SmtEngine | None:  # built only for `--from any`, under the config's solver budget
        from policylint.queries.smt_coverage import smt_engine

        return smt_engine(ev, config.smt_timeout_ms, config.smt_budget_seconds)

    answer = answer_service(ev, cluster, _source(ev, cluster, src, home, notes), svc, dst, port or ref.port,
                            functools.cache(smt))  # fmt: skip
    answer.notes[:0] = notes
    return answer


def _source(ev: Evaluator, cluster: Cluster, text: str, home: str, notes: list[str]) -> EndpointSpec:
    """A source endpoint; a Service there stands for its backend pods, and `notes` says so."""
    from policylint.queries.service_query import find_service, service_ref, source_of_service

    ref = service_ref(cluster, text)
    if ref is None:
        return resolve(ev, text, home)
    spec, note = source_of_service(ev, cluster, find_service(cluster, ref, home), text)
    notes.append(note)
    return spec


def _wanted_ports(ev: Evaluator, text: str, dst: EndpointSpec) -> ConnSet:
    """A port list as connections; a port name resolves against the destination's workloads."""
    from policylint.queries.focus import parse_ports, port_conns

    items = parse_ports(text) or []
    want = port_conns(items, None)
    for d in bit_indices(dst.workloads):
        want = want | port_conns(items, ev.workloads[d])
    if not want:
        raise EndpointError(f"--port {text!r}: the destination has no container port of that name; "
                            "use PORT[/PROTOCOL], a range PORT-PORT, a list, or a port name it has")
    return want


def _add_symbolic(answer: Answer, sym: SymbolicAnswer) -> None:
    if sym.text:
        answer.witnesses.append(sym.text)
        answer.allowed = True  # a verified witness: some matching pod can connect
    elif sym.none_possible:
        answer.witnesses.append("proven: no pod or address matching these endpoints could connect, "
                                "not even one the input does not have")  # fmt: skip
    if sym.undecided:
        answer.undecided.append(sym.undecided)


def exposure(source: Paths | Input, config: Config | None = None, *, ingress_controller: str | None = None,
             node_cidrs: Sequence[str] = ()) -> ExposureReport:  # fmt: skip
    """Every way in from outside the cluster and what it reaches (queries/exposure.py). The
    controller and node ranges default to the config's `exposure:` settings."""
    from policylint.queries.exposure import exposure as compute_exposure
    from policylint.queries.exposure import with_controller_option

    config = _config(config)
    # As the plugin enforces it (`cni:`, staged policies), like matrix and query: a policy the plugin
    # ignores blocks no way in.
    cluster = evaluated(_input(source, config, validate=False).loaded.cluster, config)
    controller = with_controller_option(ingress_controller or config.ingress_controller)
    nodes = node_cidrs or config.node_cidrs
    return compute_exposure(cluster, config.assumptions, controller=controller, node_cidrs=nodes)


def matrix(source: Paths | Input, config: Config | None = None, networks: Sequence[str] = ()) -> Matrix:
    """Every allowed connection between workloads and external address ranges; `networks` (endpoint
    texts; those that are CIDRs or addresses count) also cut the external space, for a filter on them."""
    config = _config(config)
    cluster = evaluated(_input(source, config, validate=False).loaded.cluster, config)
    return compute_matrix(Evaluator(cluster, config.assumptions, extra_networks(list(networks))))


@dataclass(frozen=True, slots=True)
class MatrixRows:
    """The matrix as a stream: `rows` yields each connection in listing order, computed as it is read
    (`reporters.matrix.write(evaluator, rows, fmt, out)` prints it)."""

    evaluator: Evaluator
    rows: Iterator[Connection]


def matrix_rows(source: Paths | Input, config: Config | None = None, networks: Sequence[str] = ()) -> MatrixRows:
    """Every allowed connection, like `matrix`, without holding them all: for large dense clusters.
    `networks` (endpoint texts; CIDRs and addresses count) also cut the external space, for filters."""
    config = _config(config)
    cluster = evaluated(_input(source, config, validate=False).loaded.cluster, config)
    ev = Evaluator(cluster, config.assumptions, extra_networks(list(networks)))
    return MatrixRows(ev, iter_connections(ev))


# --- change impact ----------------------------------------------------------------------------------


def diff(base: str, head: str, config: Config | None = None, *, with_lint: bool = False,
         smt: Solver | None = SOLVER, cache: bool = False) -> Impact:  # fmt: skip
    """What HEAD changes against BASE (two files or directories); a path that does not exist is an
    InputError. With `with_lint`, also the findings the change adds and fixes (BASE's findings are
    matched as if BASE lay at HEAD's place). `smt=None`: no z3 proofs, concrete grouping only.
    `cache=True`: each side's model comes from the model cache when its files are unchanged."""
    from policylint.changes import compare

    config = _config(config)
    # Schema validation only matters to the findings: without lint, skip it (half of the load time).
    sides = _path_side(base, head, config, with_lint, cache), _path_side(head, head, config, with_lint, cache)
    return compare(*sides, config, with_lint, smt)


def diff_git(base_rev: str, head_rev: str | None, paths: Sequence[str], config: Config | None = None, *,
             with_lint: bool = False, smt: Solver | None = SOLVER) -> Impact:  # fmt: skip
    """`paths` at git revision `base_rev` against `head_rev` (None: the working tree as it is).

    Revisions are read into a temporary folder; the working tree is never touched. Files that do
    not exist at a revision make an empty side (a change that adds or deletes the manifests).
    """
    from policylint.changes import Side, compare

    config = _config(config)
    with tempfile.TemporaryDirectory(prefix="policylint-diff-") as tmp:
        base_snap, head_snap = _snapshot(base_rev, paths, tmp), _snapshot(head_rev, paths, tmp)
        # A path on neither side is a typo: comparing nothing with nothing must not pass the gate.
        nowhere = [p for p, b, h in zip(paths, base_snap.named, head_snap.named, strict=True) if not (b or h)]
        if nowhere:
            where = f"{base_rev} or {head_rev or 'the working tree'}"
            raise InputError(f"{', '.join(nowhere)}: no such file or directory at {where}")
        base = Side(_load_existing(base_snap.paths, config, with_lint), base_snap.moved)
        head = Side(_load_existing(head_snap.paths, config, with_lint), head_snap.moved)
        return compare(base, head, config, with_lint, smt)  # inside: linting reads the files again


def _snapshot(rev: str | None, paths: Sequence[str], tmp: str) -> Snapshot:
    from policylint.load.git import GitError, snapshot

    try:
        return snapshot(rev, list(paths), Path(tmp))
    except GitError as exc:
        raise InputError(str(exc)) from exc


def _path_side(path: str, other: str, config: Config, validate: bool, cache: bool) -> Side:
    from policylint.changes import Side

    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or directory")
    return Side(_load_existing([path], config, validate, cache), {path.rstrip("/"): other.rstrip("/")})


def _load_existing(paths: list[str], config: Config, validate: bool = True, cache: bool = False) -> LoadResult:
    """Git snapshots are read with cache=False: each lives in a new temporary folder, so an entry
    for it would never be read again."""
    existing = [p for p in paths if os.path.exists(p)]
    if not existing:
        return _declared(LoadResult(Cluster.of([], [])), config)  # the manifests do not exist (yet, or any more)
    return load(existing, config, validate=validate, cache=cache).loaded


# --- inputs -----------------------------------------------------------------------------------------


def _declared(loaded: LoadResult, config: Config) -> LoadResult:
    """The config's `workloads:` (outside the input) join the cluster, for every command alike."""
    return replace(loaded, cluster=with_declared(loaded.cluster, config.workloads)) if config.workloads else loaded


def _names(paths: Paths) -> list[str]:
    if isinstance(paths, str | os.PathLike):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def _config(config: Config | None) -> Config:
    return load_config(None) if config is None else config


def _input(source: Paths | Input, config: Config, validate: bool = True) -> Input:
    return source if isinstance(source, Input) else load(source, config, validate=validate)
