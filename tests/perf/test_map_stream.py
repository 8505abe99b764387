"""`matrix -f html` streams: the page is written as it is computed, holding one source namespace's
rows at a time (before, every row of the matrix was held, then one dict and one string of the page).

`reference_page` is the renderer as it was before streaming (every row in a list, grouped per
namespace pair, one json.dumps of the whole), with the one change the streaming needs: the page's
data lists its lines before the edges that count them. The streamed page must give the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from perf_clusters import dense_cluster, open_cluster
from strategies import clusters

from policylint.cli import cli
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE
from policylint.engine.matrix import Connection, External, iter_connections
from policylint.load import load_paths
from policylint.model import Cluster
from policylint.queries.focus import apply, make_focus
from policylint.queries.grouping import Grouper, Line, line_key
from policylint.reporters import html
from policylint.reporters.grouped import end_text

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "fixtures" / "examples" / "shop"


def _ns(ev: Evaluator, e: object) -> str:
    return html.EXTERNAL if isinstance(e, External) else ev.workloads[e].namespace  # type: ignore[index]


def reference_data(ev: Evaluator, rows: list[Connection]) -> dict[str, Any]:
    namespaces: dict[str, list[dict[str, str]]] = {}
    for w in ev.workloads:
        namespaces.setdefault(w.namespace, []).append({"name": w.name, "kind": w.kind, "ref": w.ref})
    parts: dict[tuple[str, str], list[Line]] = {}
    for c in rows:
        parts.setdefault((_ns(ev, c.src), _ns(ev, c.dst)), []).append(Line(c.src, c.dst, c.conns))
    grouper = Grouper(ev)
    edges: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for (s_ns, d_ns), part in sorted(parts.items()):
        conns = NONE
        for ln in part:
            conns = conns | ln.conns
        grouped = part
        for vary_src in (True, False, True, False):
            grouped = grouper.collapse(grouped, vary_src)
        first = len(lines)
        for ln in sorted(grouped, key=lambda x: line_key(ev, x)):
            said = html.explain(ev, ln) if len(lines) < html.MAX_EXPLAINED else (
                "not precomputed (the page explains the first lines only): run "
                f"policylint query --from {end_text(ev, ln.src)} --to {end_text(ev, ln.dst)}")  # fmt: skip
            lines.append({"s": html._end(ev, ln.src), "d": html._end(ev, ln.dst), "c": str(ln.conns),
                          "p": ln.conns.to_json(), "x": said})  # fmt: skip
        edges.append({"s": s_ns, "d": d_ns, "pairs": len(part), "c": str(conns), "p": conns.to_json(),
                      "lines": list(range(first, len(lines)))})  # fmt: skip
    listed = [{"name": ns, "workloads": ws} for ns, ws in sorted(namespaces.items())]
    return {"namespaces": listed, "lines": lines, "edges": edges, "external": html.EXTERNAL}


def reference_page(ev: Evaluator, rows: list[Connection]) -> str:
    data = json.dumps(reference_data(ev, rows), separators=(",", ":")).replace("</", "<\\/")
    return (
        html._asset("map.html")
        .replace("/*STYLE*/", html._asset("map.css"))
        .replace("/*SCRIPT*/", html._asset("map.js"))
        .replace('"/*DATA*/"', data)
    )


def streamed_page(ev: Evaluator) -> str:
    return "".join(html.iter_page(ev, iter_connections(ev, external_at=html.EXTERNAL)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_streamed_page_is_the_page_built_whole(cluster: Cluster) -> None:
    ev = Evaluator(cluster)
    assert streamed_page(ev) == reference_page(ev, list(iter_connections(ev)))


@given(clusters())
def test_external_sources_come_where_their_name_sorts_and_nothing_else_moves(cluster: Cluster) -> None:
    ev = Evaluator(cluster)
    listing = list(iter_connections(ev))
    for name in (html.EXTERNAL, "ns1", "zz"):
        moved = list(iter_connections(ev, external_at=name))
        # A stable sort on the source's namespace (the outside named `name`) of the listing order.
        assert moved == sorted(listing, key=lambda c: name if isinstance(c.src, External) else _ns(ev, c.src))


def _data(page: str) -> dict[str, Any]:
    return json.loads(page.split('type="application/json">', 1)[1].split("</script>", 1)[0])


def test_generated_dense_cluster_gives_the_page_built_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ev = Evaluator(load_paths([str(dense_cluster(tmp_path, 300, seed=7))]).cluster)
    page = streamed_page(ev)
    assert page == reference_page(ev, list(iter_connections(ev)))
    data = _data(page)
    assert len(data["edges"]) > 50 and len(data["lines"]) > len(data["edges"])  # many edges, lines, explanations
    # Past MAX_EXPLAINED lines (counted over the whole page, not per edge), a line names its query.
    monkeypatch.setattr(html, "MAX_EXPLAINED", 40)
    page = streamed_page(ev)
    assert page == reference_page(ev, list(iter_connections(ev)))
    said = [ln["x"] for ln in _data(page)["lines"]]
    assert not any(x.startswith("not precomputed") for x in said[:40])
    assert all(x.startswith("not precomputed") for x in said[40:]) and len(said) > 80


def test_cli_page_with_filters_is_the_reference_of_the_filtered_rows(tmp_path: Path) -> None:
    """--namespace and --port cut the rows before the page groups them, as they did."""
    out = tmp_path / "map.html"
    args = ["matrix", str(SHOP), "-f", "html", "-n", "shop", "--port", "5432,http", "-o", str(out)]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    ev = Evaluator(load_paths([str(SHOP)]).cluster)
    focus = make_focus(ev, None, None, "shop", "5432,http", None)
    rows = list(apply(ev, iter_connections(ev), focus))
    assert rows and len(rows) < len(list(iter_connections(ev)))
    assert out.read_text(encoding="utf-8") == reference_page(ev, rows)


def test_the_first_lines_are_written_before_the_rows_are_all_computed(tmp_path: Path) -> None:
    ev = Evaluator(load_paths([str(dense_cluster(tmp_path, 200))]).cluster)
    total = sum(1 for _ in iter_connections(ev, external_at=html.EXTERNAL))
    taken = 0

    def counted() -> Iterator[Connection]:
        nonlocal taken
        for c in iter_connections(ev, external_at=html.EXTERNAL):
            taken += 1
            yield c

    pieces = html.iter_page(ev, counted())
    written = ""
    while '"lines":[{' not in written:  # the page's head, the namespaces, then the first line
        written += next(pieces)
    assert written.endswith("}") and json.loads(written.rsplit('"lines":[', 1)[1])["s"]["e"] == 1
    first_source = sum(1 for c in iter_connections(ev, external_at=html.EXTERNAL) if isinstance(c.src, External))
    assert 0 < taken <= first_source + 1 < total  # the outside's rows (and a look at the next), no more


def test_rows_out_of_namespace_order_are_refused(tmp_path: Path) -> None:
    """The listing order puts the outside last, but it sorts first among namespace names on the page:
    rendering it as it comes would put its edges in the wrong place, so it is an error, not a page."""
    ev = Evaluator(load_paths([str(SHOP)]).cluster)
    assert any(isinstance(c.src, External) for c in iter_connections(ev))
    with pytest.raises(ValueError, match="source namespace"):
        "".join(html.iter_page(ev, iter_connections(ev)))


def test_a_thousand_open_pods_make_a_page_within_a_generous_memory_bound(tmp_path: Path) -> None:
    """999,000 pairs: before, every row was held, then a line per row (202 MB peak); now one source
    namespace's 100,000 rows (46 MB)."""
    root = tmp_path / "open"
    open_cluster(root, 10, 100)
    out = tmp_path / "map.html"
    probe = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
             "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, repr(p.stderr))")
    cmd = [sys.executable, "-c", probe, sys.executable, "-m", "policylint", "matrix", str(root), "-f", "html",
           "-o", str(out)]  # fmt: skip
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=tmp_path)  # -m: cwd first
    code, max_kb, err = done.stdout.split(" ", 2)
    assert (code, err.strip()) == ("0", "''")
    data = _data(out.read_text(encoding="utf-8"))
    assert sum(e["pairs"] for e in data["edges"] if html.EXTERNAL not in (e["s"], e["d"])) == 999_000
    assert int(max_kb) < 120_000, f"peak {max_kb} KB"  # measured: 202 MB before, 46 MB now


def test_missing_output_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["matrix", str(SHOP), "-f", "html", "-o", str(tmp_path / "no" / "map.html")])
    assert done.exit_code == 2
    assert done.output.count("\n") == 1 and "cannot write" in done.output and "No such file" in done.output
