"""The layering contract of DESIGN.md ("Layering (enforced)"), checked on the `ast` of every module.

    cli  >  api/runner  >  reporters  >  rules  >  queries  >  engine  >  model  >  load  >  findings

Imports may only point downwards (or within a layer). On top of that:

- rules never import load, reporters, cli or the runner;
- engine never imports load, reporters, cli or queries;
- z3 is imported only inside `policylint.engine.smt`;
- `import rules` appears nowhere: the catalogue is `policylint.rules`.

Imports inside functions count like top-level ones (a lazy import is still a dependency).
Exceptions are listed one by one in ALLOWED, each with its reason; a new one needs a reason
of the same kind, not a weaker rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Highest first. Modules that DESIGN's diagram does not name are placed by what they are:
# config belongs to the runner that applies it; registry, docs, rulespec and suppress are the
# rule catalogue and its API, one layer with the rules (reporters.sarif reads the registry).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cli", ("policylint.cli", "policylint.__main__", "policylint.color", "policylint.progress")),  # terminal manners
    ("api", ("policylint.api", "policylint.changes", "policylint.runner", "policylint.config", "policylint.cache",
             "policylint.enforced", "policylint.solver")),
    ("reporters", ("policylint.reporters",)),
    ("rules", ("policylint.rules", "policylint.registry", "policylint.rulespec", "policylint.docs",
               "policylint.suppress", "policylint.presets")),  # fmt: skip
    ("queries", ("policylint.queries", "policylint.cni")),
    ("engine", ("policylint.engine",)),
    ("model", ("policylint.model",)),
    ("load", ("policylint.load",)),
    ("findings", ("policylint.findings",)),
)
RANK = {name: len(LAYERS) - i for i, (name, _prefixes) in enumerate(LAYERS)}

# (importer module, imported module) -> why this upward import is right.
ALLOWED: dict[tuple[str, str], str] = {
    ("policylint.load", "policylint.model.build"): (
        "load_paths/load_text are the public loading API and return a built Cluster; the import is "
        "lazy (inside _result) and only the package __init__ does it, never a load submodule"
    ),
    ("policylint.load", "policylint.model.cluster"): "the type of LoadResult.cluster, for the same reason",
}

# Extra bans that hold even where the layer order would allow the import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "rules": ("load", "reporters", "cli", "api"),
    "engine": ("load", "reporters", "cli", "api", "queries", "rules"),
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}: {self.importer} imports {self.imported}"


def module_name(path: Path) -> str:
    """`policylint/load/__init__.py` -> `policylint.load`; `rules/np101_x.py` -> `policylint.rules.np101_x`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] == "rules":
        parts.insert(0, "policylint")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> list[Path]:
    return sorted([*(ROOT / "policylint").rglob("*.py"), *(ROOT / "rules").rglob("*.py")])


def imports_of(path: Path) -> Iterator[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, path, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(module, target, path, node.lineno)
            for alias in node.names:  # `from policylint import load` imports policylint.load
                yield Import(module, f"{target}.{alias.name}", path, node.lineno)


def layer_of(module: str) -> str | None:
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return None


def own_imports() -> list[Import]:
    """Imports of policylint modules (names that are not modules, e.g. `from x import func`, resolve
    to no layer of their own and are judged by their module)."""
    return [i for path in source_files() for i in imports_of(path)]


def is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    if name.startswith("policylint.rules"):
        path = ROOT / Path(*name.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_every_module_has_a_layer() -> None:
    unplaced = [
        module_name(p)
        for p in source_files()
        if module_name(p) != "policylint" and layer_of(module_name(p)) is None
    ]
    assert unplaced == [], "place these modules in LAYERS"


def test_the_package_root_imports_nothing_of_its_own() -> None:
    """`policylint/__init__.py` is the version only, so any layer may read `policylint.__version__`."""
    root = [i for i in imports_of(ROOT / "policylint" / "__init__.py") if i.imported.startswith("policylint")]
    assert root == []


def test_imports_point_only_downwards() -> None:
    upward = []
    for imp in own_imports():
        if not imp.imported.startswith("policylint.") or not is_module(imp.imported):
            continue
        src, dst = layer_of(imp.importer), layer_of(imp.imported)
        if src is None or dst is None or RANK[dst] <= RANK[src]:
            continue
        if (imp.importer, imp.imported) not in ALLOWED:
            upward.append(str(imp))
    assert upward == [], "upward imports break the DESIGN layering:\n" + "\n".join(upward)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_forbidden_layer_imports(layer: str) -> None:
    bad = [
        str(imp)
        for imp in own_imports()
        if layer_of(imp.importer) == layer and is_module(imp.imported) and layer_of(imp.imported) in FORBIDDEN[layer]
        and (imp.importer, imp.imported) not in ALLOWED
    ]
    assert bad == []


def test_z3_is_imported_only_by_the_smt_engine() -> None:
    bad = [
        str(imp)
        for imp in own_imports()
        if (imp.imported == "z3" or imp.imported.startswith("z3."))
        and not (imp.importer == "policylint.engine.smt" or imp.importer.startswith("policylint.engine.smt."))
    ]
    assert bad == []


def test_nothing_imports_the_top_level_rules_folder() -> None:
    bad = [str(imp) for imp in own_imports() if imp.imported == "rules" or imp.imported.startswith("rules.")]
    tests = [i for p in sorted((ROOT / "tests").rglob("*.py")) for i in _imports_outside(p)]
    assert bad + tests == []


def _imports_outside(path: Path) -> Iterator[str]:
    """`import rules` in a test file (tests are not modules of the package; absolute imports only)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            if name == "rules" or name.startswith("rules."):
                yield f"{path.relative_to(ROOT)}:{node.lineno}: imports {name}"


def test_every_allowance_is_still_needed() -> None:
    """An allowance whose import has gone must be removed, so the list never hides a new violation."""
    seen = {(i.importer, i.imported) for i in own_imports()}
    assert [pair for pair in ALLOWED if pair not in seen] == []


def test_the_checker_sees_lazy_and_relative_imports() -> None:
    """Self-test: the lazy import in load/__init__ is found, and relative imports resolve."""
    found = {(i.importer, i.imported) for i in imports_of(ROOT / "policylint" / "load" / "__init__.py")}
    assert ("policylint.load", "policylint.model.build") in found
    assert layer_of("policylint.engine.smt.encode") == "engine" and layer_of("policylint.rules.np101_x") == "rules"
