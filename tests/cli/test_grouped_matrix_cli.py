"""Grouped and filtered maps, query endpoint forms, and terminal manners (issue 16)."""

from __future__ import annotations

import io
import ipaddress
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import api
from policylint.cli import EXIT_INTERRUPTED, cli
from policylint.color import enabled
from policylint.engine.cidr import AddressSpace
from policylint.model.policy import IPBlock
from policylint.progress import Progress
from policylint.queries.grouping import expand, external_text, group_rows

SHOP = str(Path(__file__).resolve().parents[2] / "fixtures" / "examples" / "shop")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def _pairs(rows: object) -> set[tuple[object, object, str]]:
    return {(c.src, c.dst, str(c.conns)) for c in rows}  # type: ignore[attr-defined]


@pytest.mark.parametrize("by", ["namespace", "workload"])
def test_grouped_lines_expand_back_to_exactly_the_pairs(by: str) -> None:
    m = api.matrix(SHOP)
    lines = group_rows(m.evaluator, m.connections, by=by)
    expanded = [c for ln in lines for c in expand(m.evaluator, ln)]
    assert len(expanded) == len(m.connections)  # each pair in one line only
    assert _pairs(expanded) == _pairs(m.connections)


def test_namespace_grouping_says_any_pod_where_z3_proves_it() -> None:
    code, out, _ = run("matrix", SHOP, "--group", "namespace")
    assert code == 0
    # Both shop workloads reach coredns on DNS only, and shop/allow-dns selects every pod of shop.
    assert "any pod in namespace shop -> kube-system/coredns[Deployment] : TCP 53,UDP 53" in out.splitlines()
    code, out, _ = run("matrix", SHOP, "--group", "namespace", "--no-smt")
    assert "every workload in namespace shop -> kube-system/coredns[Deployment] : TCP 53,UDP 53" in out.splitlines()


def test_default_is_one_pair_per_line_for_pipes_and_one_arrow() -> None:
    _, out, _ = run("matrix", SHOP)
    assert "shop/api[Deployment] -> data/postgres[StatefulSet] : TCP 5432" in out.splitlines()
    assert "=>" not in out and "every workload" not in out and "any pod" not in out


def test_grouped_json_keeps_the_exact_pairs_beside_the_groups() -> None:
    _, out, _ = run("matrix", SHOP, "-g", "namespace", "-f", "json")
    doc = json.loads(out)
    ungrouped = json.loads(run("matrix", SHOP, "-f", "json")[1])
    assert doc["connections"] == ungrouped["connections"]
    assert sum(g["pairs"] for g in doc["groups"]) == len(doc["connections"])
    assert {"type": "group", "namespace": "shop", "except": [], "any_pod": True} in [g["src"] for g in doc["groups"]]


def test_dot_puts_each_namespace_in_a_cluster() -> None:
    _, out, _ = run("matrix", SHOP, "-f", "dot", "-g", "namespace")
    assert out.count("subgraph cluster_") == 4
    assert 'label="namespace shop";' in out


def test_external_ranges_are_said_with_their_excepts() -> None:
    # An ipBlock `0.0.0.0/0 except 10.0.0.0/8` cuts the space at 10.0.0.0/8's edges.
    space = AddressSpace([IPBlock("0.0.0.0/0", ("10.0.0.0/8",), ipaddress.ip_network("0.0.0.0/0"),
                                  (ipaddress.ip_network("10.0.0.0/8"),))])  # fmt: skip
    block = space.block_atoms(IPBlock("0.0.0.0/0", ("10.0.0.0/8",), ipaddress.ip_network("0.0.0.0/0"),
                                      (ipaddress.ip_network("10.0.0.0/8"),)))  # fmt: skip
    assert external_text(space, block) == "0.0.0.0/0 except 10.0.0.0/8"
    assert external_text(space, space.all) == "0.0.0.0/0, ::/0"
    v6 = space.block_atoms(IPBlock("::/0", (), ipaddress.ip_network("::/0")))
    assert external_text(space, block | v6) == "0.0.0.0/0 except 10.0.0.0/8; ::/0"


def test_filters_from_to_namespace_port_protocol() -> None:
    _, out, _ = run("matrix", SHOP, "--to", "data/postgres")
    assert out == "shop/api[Deployment] -> data/postgres[StatefulSet] : TCP 5432\n"
    _, out, _ = run("matrix", SHOP, "-n", "monitoring", "-p", "9090")
    assert out == "monitoring/prometheus[Deployment] -> kube-system/coredns[Deployment] : TCP 9090\n" \
                  "monitoring/prometheus[Deployment] -> shop/api[Deployment] : TCP 9090\n"  # fmt: skip
    _, out, _ = run("matrix", SHOP, "--from", "data/postgres", "--protocol", "UDP")
    assert out == "data/postgres[StatefulSet] -> kube-system/coredns[Deployment] : UDP 53\n"
    _, out, _ = run("matrix", SHOP, "--from", "kube-system/coredns", "--to", "10.0.0.0/8")
    assert out == "kube-system/coredns[Deployment] -> 10.0.0.0/8 : All Connections\n"
    code, _, err = run("matrix", SHOP, "-n", "shpo")
    assert code == 2 and "did you mean 'shop'?" in err


def test_default_namespace_option_is_renamed() -> None:
    assert run("matrix", SHOP, "--default-namespace", "shop")[0] == 0


def test_query_endpoint_forms_and_port_lists() -> None:
    # kubectl's short forms, with -n for the namespace
    _, out, _ = run("query", SHOP, "-n", "shop", "--from", "deploy/api", "--to", "data/sts/postgres", "-p", "5000-6000")
    # ALLOWED means every port asked for; of the range, only 5432 is.
    assert out.splitlines()[:2] == ["deploy/api -> data/sts/postgres on TCP 5000-6000: BLOCKED",
                                    "allowed connections: TCP 5432"]  # fmt: skip
    # a port name is the destination's container port (shop/api names 9000 `http`)
    _, out, _ = run("query", SHOP, "--from", "monitoring/prometheus", "--to", "shop/api", "-p", "http,9090")
    assert out.splitlines()[0] == "monitoring/prometheus -> shop/api on TCP 9000,9090: BLOCKED"
    code, _, err = run("query", SHOP, "--from", "shop/frontned", "--to", "shop/api")
    assert code == 2 and "did you mean 'shop/frontend'?" in err


def test_pod_names_and_pod_ips_from_the_input(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: a, labels: {app: web}}\n"
        "spec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.1.2.3}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: db-1, namespace: a, labels: {app: db}}\n"
        "spec: {containers: [{name: c, image: x}]}\n",
        encoding="utf-8",
    )
    _, out, _ = run("query", str(pod), "--from", "10.1.2.3", "--to", "a/db-1")
    assert out.splitlines()[0] == "10.1.2.3 -> a/db-1: ALLOWED"
    assert "egress from a/web-1[Pod]" in out


def test_set_query_says_who_can_reach_grouped_with_deciding_policies() -> None:
    _, out, _ = run("query", SHOP, "--from", "any", "--to", "data/postgres", "--no-smt")
    lines = out.splitlines()
    assert lines[1].startswith("can (")
    assert "  shop/api[Deployment] -> data/postgres[StatefulSet] : TCP 5432" in lines
    assert any("data/postgres ingress rule 1 (" in ln for ln in lines)
    assert any(ln.startswith("cannot (") for ln in lines)
    _, out, _ = run("query", SHOP, "--from", "any", "--to", "0.0.0.0/0", "--no-smt")
    assert "  kube-system/coredns[Deployment] -> 0.0.0.0/0 : All Connections" in out.splitlines()


def test_colour_choice_and_environment() -> None:
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    assert enabled("auto", tty, {}) and not enabled("auto", io.StringIO(), {})
    assert not enabled("auto", tty, {"NO_COLOR": "1"})  # https://no-color.org
    assert enabled("auto", io.StringIO(), {"FORCE_COLOR": "1"}) and not enabled("auto", tty, {"FORCE_COLOR": "0"})
    assert enabled("always", io.StringIO(), {"NO_COLOR": "1"}) and not enabled("never", tty, {})
    _, out, _ = run("query", SHOP, "--from", "shop/api", "--to", "data/postgres", "--color", "always")
    assert "\x1b[32;1mALLOWED\x1b[0m" in out
    assert "\x1b[" not in run("query", SHOP, "--from", "shop/api", "--to", "data/postgres")[1]


def test_progress_only_on_a_terminal_after_the_delay() -> None:
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    with Progress(tty, delay=0.05) as p:
        p.stage("computing pairs")
        time.sleep(0.3)
    assert "policylint: computing pairs" in tty.getvalue() and tty.getvalue().endswith("\r\x1b[K")
    quiet, piped = io.StringIO(), io.StringIO()
    quiet.isatty = lambda: True  # type: ignore[method-assign]
    for stream, q in ((quiet, True), (piped, False)):
        with Progress(stream, quiet=q, delay=0.0):
            time.sleep(0.1)
        assert stream.getvalue() == ""


def test_lint_statistics_and_exit_zero() -> None:
    code, _, err = run("lint", SHOP, "--statistics")
    assert code == 1
    assert "1  NP202  peer-selects-nothing" in err and "2 finding(s) from 2 rule(s)" in err
    assert run("lint", SHOP, "--exit-zero", "-f", "json")[0] == 0


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    child = ("import sys, policylint.cli as c; sys.argv = ['policylint', 'lint', '-']; "
             "print('ready', flush=True); c.main()")
    # Run outside the source tree: the installed package is the one that has policylint.rules.
    proc = subprocess.Popen([sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    time.sleep(0.5)  # now reading stdin, which never ends
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == EXIT_INTERRUPTED, err
