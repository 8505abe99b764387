"""Run the enabled rules over a loaded cluster and assemble the Report.

Loader problems become NP0xx findings; rules run by scope; the runner stamps id, name and
severity, drops findings in ignored paths, applies suppressions, reports unused ones
(NP901) and sorts, so output is deterministic.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from policylint.config import Config
from policylint.enforced import evaluated
from policylint.findings import NO_SPAN, Finding, Hit, InputProblem, Report, Severity, Span, one_line
from policylint.model.cluster import Cluster
from policylint.rulespec import Memo, RuleContext, RuleSpec
from policylint.suppress import Directive, Suppressor, annotation_directives, parse_comments

UNUSED_SUPPRESSION = "NP901"
INTERNAL_ERROR = "internal error"


class LoadedInput(Protocol):
    """What the runner needs of `policylint.load.LoadResult`."""

    @property
    def cluster(self) -> Cluster: ...
    @property
    def problems(self) -> Sequence[InputProblem]: ...
    @property
    def files_read(self) -> int: ...
    @property
    def documents(self) -> int: ...
    @property
    def skipped_kinds(self) -> Mapping[str, int]: ...
    @property
    def skipped_inputs(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class SimpleInput:
    """A LoadedInput built directly (tests, library callers without the loader)."""

    cluster: Cluster
    problems: Sequence[InputProblem] = ()
    files_read: int = 0
    documents: int = 0
    skipped_kinds: Mapping[str, int] = field(default_factory=dict)
    skipped_inputs: Sequence[str] = ()


# An unreadable input (NP004) may be a link out of the analysed roots: its text is never shown.
NO_SNIPPET = frozenset({"NP004"})


def read_file(name: str) -> str | None:
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def lint(
    loaded: LoadedInput,
    config: Config,
    sources: Mapping[str, str] | None = None,
    read: Callable[[str], str | None] = read_file,
    debug: bool = False,
) -> Report:
    """Lint `loaded` under `config`. `sources` gives file texts (e.g. stdin) for comment suppressions."""
    findings = [f for f in input_findings(loaded.problems, config) if not ignored(f.span, config)]
    raised = step_aside(list(rule_findings(loaded.cluster, config, debug)), config)
    findings += [f for f in raised if not ignored(f.span, config)]
    texts = collect_sources(loaded.cluster, findings, sources or {}, read)
    suppressor = Suppressor([*comment_directives(texts), *annotation_directives(loaded.cluster)], config.rule_id)
    kept = [f for f in findings if f.rule.startswith("NP0") or not suppressor.suppressed(f)]
    kept += unused_suppressions(suppressor, config)
    return Report(
        findings=sorted(kept, key=Finding.sort_key),
        files_read=loaded.files_read,
        documents=loaded.documents,
        skipped_kinds=dict(loaded.skipped_kinds),
        skipped_inputs=list(loaded.skipped_inputs),
        sources={f.span.file: texts[f.span.file] for f in kept if f.span.file in texts and f.rule not in NO_SNIPPET},
    )


def stamp(rule: RuleSpec, config: Config, hit: Hit) -> Finding:
    severity = config.severity(rule)
    if hit.severity is not None and hit.severity.rank < severity.rank:
        severity = hit.severity
    return Finding(rule.id, rule.name, severity, hit.span, one_line(hit.message), hit.related)


def input_findings(problems: Iterable[InputProblem], config: Config) -> Iterator[Finding]:
    for problem in problems:
        rule = config.registry.get(problem.rule)
        if rule is None:  # an id the catalogue does not document: still reported, as an error
            yield Finding(problem.rule, "input-problem", Severity.ERROR, problem.span, problem.message)
        else:
            yield stamp(rule, config, Hit(problem.span, problem.message))


def rule_findings(cluster: Cluster, config: Config, debug: bool) -> Iterator[Finding]:
    base = RuleContext(
        evaluated(cluster, config), written=cluster, cni=config.cni, assumptions=config.assumptions,
        expectations=config.expectations, memo=Memo(), ingress_controller=config.ingress_controller,
        node_cidrs=config.node_cidrs, namespace_set=config.namespace is not None,
        smt_timeout_ms=config.smt_timeout_ms, smt_budget_seconds=config.smt_budget_seconds,
    )
    for rule in config.enabled_rules():
        ctx = base.with_options(config.options(rule))
        if rule.scope == "cluster":
            yield from run_check(rule, ctx, config, NO_SPAN, debug)
        elif rule.scope == "policy":
            for policy in cluster.policies:
                yield from run_check(rule, ctx.for_policy(policy), config, policy.span, debug)


def step_aside(findings: list[Finding], config: Config) -> list[Finding]:
    """Drop the findings that a more specific rule's finding at the same location supersedes."""
    covered: set[tuple[str, Span]] = set()
    for f in findings:
        rule = config.registry.get(f.rule)
        if rule is not None:
            covered.update((other, f.span) for other in rule.supersedes)
    return [f for f in findings if (f.rule, f.span) not in covered]


def run_check(rule: RuleSpec, ctx: RuleContext, config: Config, where: Span, debug: bool) -> Iterator[Finding]:
    """The rule's findings; a rule that raises becomes one error finding instead of crashing the run."""
    try:
        hits = list(rule.check(ctx))
    except Exception as exc:
        if debug:
            raise
        message = (
            f"{INTERNAL_ERROR}: rule {rule.id} {rule.name} crashed ({type(exc).__name__}: {exc}); "
            "please report this bug (rerun with --debug for the traceback)"
        )
        yield Finding(rule.id, rule.name, Severity.ERROR, where, message)
        return
    for hit in hits:
        yield stamp(rule, config, hit)


def ignored(span: Span, config: Config) -> bool:
    if not config.ignore or span.file.startswith("<"):
        return False
    candidates = {PurePosixPath(Path(span.file).as_posix())}
    if config.source is not None:
        with contextlib.suppress(ValueError):
            candidates.add(PurePosixPath(Path(span.file).resolve().relative_to(config.source.resolve().parent)))
    return any(matches_glob(str(c), pattern) for c in candidates for pattern in config.ignore)


def matches_glob(path: str, pattern: str) -> bool:
    pattern = pattern.removeprefix("./").rstrip("/")
    path = path.removeprefix("./")
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*")


def collect_sources(
    cluster: Cluster, findings: Iterable[Finding], given: Mapping[str, str], read: Callable[[str], str | None]
) -> dict[str, str]:
    """The text of every file that holds an object or a finding, for comment directives."""
    files = {f.span.file for f in findings}
    spans = [p.span for p in cluster.policies] + [w.span for w in cluster.workloads]
    spans += [s.span for s in cluster.services]
    spans += [n.span for n in cluster.namespaces if n.span is not None]
    files.update(s.file for s in spans)
    texts: dict[str, str] = {}
    for name in sorted(files):
        text = given.get(name) if name in given else (None if name.startswith("<") else read(name))
        if text is not None:
            texts[name] = text
    return texts


def comment_directives(texts: Mapping[str, str]) -> Iterator[Directive]:
    for name, text in texts.items():
        yield from parse_comments(name, text)


def unused_suppressions(suppressor: Suppressor, config: Config) -> list[Finding]:
    rule = config.registry.get(UNUSED_SUPPRESSION)
    if rule is None or not config.enabled(rule):
        return []
    enabled = {r.id for r in config.enabled_rules()}
    return [
        stamp(rule, config, Hit(d.span, reason))
        for d, _token, reason in suppressor.unused(enabled)
        if not ignored(d.span, config)
    ]
