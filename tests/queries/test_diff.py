"""The connectivity diff as a reviewer reads it: added, removed, changed, new and removed workloads."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from hypothesis import given, settings

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import NONE, ConnSet
from policylint.findings import Finding, Severity, Span
from policylint.load import load_text
from policylint.model.cluster import Cluster
from policylint.queries.diff import Change, Diff, ExternalRange, WorkloadKey, diff, new_findings
from policylint.queries.diff_statements import statements
from policylint.queries.impact import Impact
from policylint.reporters.diff import render_json, render_text
from policylint.reporters.summary_md import render as render_md

sys.path.insert(0, str(Path(__file__).parents[1] / "properties"))
from strategies import clusters  # noqa: E402


def deploy(ns: str, name: str, port: int = 8080) -> str:
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: c, image: x, ports: [{{containerPort: {port}}}]}}]}}
"""


def deny_all(ns: str) -> str:
    return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: deny, namespace: {ns}}}
spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}
"""


def allow(ns: str, name: str, app: str, direction: str, peers: str, ports: str) -> str:
    key = "from" if direction == "ingress" else "to"
    kind = "Ingress" if direction == "ingress" else "Egress"
    return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app: {app}}}}}
  policyTypes: [{kind}]
  {direction}: [{{{key}: {peers}, ports: {ports}}}]
"""


BASE_WORKLOADS = deploy("shop", "web") + deploy("shop", "api") + deploy("data", "db", 5432)
DENY = deny_all("shop") + deny_all("data")


def compute(base: str, head: str) -> Diff:
    evs = [Evaluator(load_text(text, "m.yaml").cluster) for text in (base, head)]
    return diff(evs[0], evs[1])


def key(ns: str, name: str) -> WorkloadKey:
    return WorkloadKey(ns, name, "Deployment")


def web_to_api(ports: str) -> str:
    return allow("shop", "web-out", "web", "egress", "[{podSelector: {matchLabels: {app: api}}}]", ports) + allow(
        "shop", "api-in", "api", "ingress", "[{podSelector: {matchLabels: {app: web}}}]", ports
    )


def test_identical_clusters_have_no_difference_and_an_empty_summary() -> None:
    result = compute(BASE_WORKLOADS + DENY, BASE_WORKLOADS + DENY)
    assert result.empty
    assert render_text(Impact.of(result)) == "No connectivity change.\n"
    assert render_md(Impact.of(result)) == ""


def test_opening_a_port_is_an_added_connection() -> None:
    result = compute(BASE_WORKLOADS + DENY, BASE_WORKLOADS + DENY + web_to_api("[{port: 8080}]"))
    [added] = result.of_kind(Change.ADDED)
    assert (added.src, added.dst, str(added.head)) == (key("shop", "web"), key("shop", "api"), "TCP 8080")
    assert "shop/web[Deployment] -> shop/api[Deployment] : TCP 8080" in render_text(Impact.of(result))
    assert render_text(Impact.of(result)).startswith("1 connection added, 0 removed\n")


def test_closing_a_port_is_a_removed_connection() -> None:
    result = compute(BASE_WORKLOADS + DENY + web_to_api("[{port: 8080}]"), BASE_WORKLOADS + DENY)
    [removed] = result.of_kind(Change.REMOVED)
    assert str(removed.base) == "TCP 8080" and not result.of_kind(Change.ADDED)


def test_changing_ports_reports_what_was_gained_and_lost() -> None:
    before = web_to_api("[{port: 8080}, {port: 9090}]")
    after = web_to_api("[{port: 8080}, {port: 443}]")
    result = compute(BASE_WORKLOADS + DENY + before, BASE_WORKLOADS + DENY + after)
    [changed] = result.of_kind(Change.CHANGED)
    assert (str(changed.gained), str(changed.lost)) == ("TCP 443", "TCP 9090")
    assert "shop/web[Deployment] -> shop/api[Deployment] : +TCP 443 -TCP 9090" in render_text(Impact.of(result))


def test_a_new_workload_is_listed_with_its_connections_not_as_added_pairs() -> None:
    head = BASE_WORKLOADS + deploy("shop", "cart") + DENY + web_to_api("[{port: 8080}]")
    head += allow("shop", "cart", "cart", "egress", "[{podSelector: {matchLabels: {app: api}}}]", "[{port: 8080}]")
    result = compute(BASE_WORKLOADS + DENY + web_to_api("[{port: 8080}]"), head)
    assert result.changes == ()
    [new] = result.appeared
    assert new.workload == key("shop", "cart") and not result.disappeared
    text = render_text(Impact.of(result))
    assert "New workloads:\n  shop/cart[Deployment]\n    (no connections)" in text  # api admits only web
    assert text.startswith("0 connections added, 0 removed; 1 workload added")


def test_a_removed_workload_is_listed_with_the_connections_it_had() -> None:
    base = BASE_WORKLOADS + deny_all("data") + web_to_api("[{port: 8080}]")
    result = compute(base, deploy("shop", "api") + deploy("data", "db", 5432) + deny_all("data"))
    [gone] = result.disappeared
    assert gone.workload == key("shop", "web")
    lines = render_text(Impact.of(result)).split("Removed workloads:\n")[1].splitlines()
    assert "    -> shop/api[Deployment] : TCP 8080" in lines
    assert "    <- 0.0.0.0/0,::/0 : All Connections" in lines


def test_external_ranges_split_differently_compare_by_address() -> None:
    base = allow("shop", "out", "web", "egress", "[{ipBlock: {cidr: 10.0.0.0/8}}]", "[{port: 443}]")
    head = allow(
        "shop",
        "out",
        "web",
        "egress",
        "[{ipBlock: {cidr: 10.0.0.0/9}}, {ipBlock: {cidr: 10.128.0.0/9}}]",
        "[{port: 443}]",
    )
    head += allow("shop", "out2", "web", "egress", "[{ipBlock: {cidr: 10.1.0.0/16}}]", "[{port: 80}]")
    result = compute(BASE_WORKLOADS + DENY + base, BASE_WORKLOADS + DENY + head)
    [changed] = result.changes
    assert changed.dst == ExternalRange(("10.1.0.0/16",))
    assert (str(changed.base), str(changed.head)) == ("TCP 443", "TCP 80,443")


def test_an_except_added_to_an_ipblock_removes_that_range() -> None:
    base = allow("shop", "in", "web", "ingress", "[{ipBlock: {cidr: 0.0.0.0/0}}]", "[{port: 8080}]")
    head = allow(
        "shop",
        "in",
        "web",
        "ingress",
        "[{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}}]",
        "[{port: 8080}]",
    )
    result = compute(BASE_WORKLOADS + DENY + base, BASE_WORKLOADS + DENY + head)
    [removed] = result.of_kind(Change.REMOVED)
    assert removed.src == ExternalRange(("10.0.0.0/8", "192.168.0.0/16"))
    assert "10.0.0.0/8,192.168.0.0/16 -> shop/web[Deployment] : TCP 8080" in render_text(Impact.of(result))


def test_opening_to_the_internet_is_a_new_exposure() -> None:
    head = allow("shop", "in", "api", "ingress", "[{ipBlock: {cidr: 0.0.0.0/0}}]", "[{port: 8080}]")
    result = compute(BASE_WORKLOADS + DENY, BASE_WORKLOADS + DENY + head)
    [exposure] = result.exposures()
    assert exposure.workload == key("shop", "api")
    text = render_text(Impact.of(result))
    assert "shop/api[Deployment] is newly reachable from outside the cluster (0.0.0.0/0) on TCP 8080" in text


def test_same_namespace_access_is_not_an_exposure() -> None:
    result = compute(BASE_WORKLOADS + DENY, BASE_WORKLOADS + DENY + web_to_api("[{port: 8080}]"))
    assert result.allows_more() and result.exposures() == []


def test_every_workload_of_a_namespace_gaining_one_connection_is_one_statement() -> None:
    workloads = BASE_WORKLOADS + deploy("shop", "cart")
    shop_out = allow("shop", "db-out", "x", "egress", "[{namespaceSelector: {}}]", "[{port: 5432}]").replace(
        "podSelector: {matchLabels: {app: x}}", "podSelector: {}"
    )
    db_in = allow(
        "data",
        "db-in",
        "db",
        "ingress",
        "[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]",
        "[{port: 5432}]",
    )
    result = compute(workloads + DENY, workloads + DENY + shop_out + db_in)
    assert len(result.of_kind(Change.ADDED)) == 3
    [row] = statements(result)[Change.ADDED]
    assert (str(row.src), str(row.dst), row.pairs) == ("every workload in namespace shop (3)", "data/db[Deployment]", 3)
    assert "| `every workload in namespace shop (3)` | `data/db[Deployment]` | TCP 5432 |" in render_md(
        Impact.of(result)
    )
    assert len(result.exposures()) == 3


def test_json_lists_every_change_exactly() -> None:
    import json

    result = compute(BASE_WORKLOADS + DENY, BASE_WORKLOADS + DENY + web_to_api("[{port: 8080}]"))
    data = json.loads(render_json(Impact.of(result)))
    assert data["summary"]["added"] == 1 and data["summary"]["removed"] == 0
    assert data["added"][0]["dst"] == {"type": "workload", "namespace": "shop", "name": "api", "kind": "Deployment"}
    assert data["added"][0]["conns"] == {"TCP": [[8080, 8080]]}


def finding(line: int, message: str, rule: str = "NP202") -> Finding:
    return Finding(rule, "peer-selects-nothing", Severity.WARNING, Span("k8s/a.yaml", line, 3), message)


def test_new_findings_ignore_line_shifts_and_count_repeats() -> None:
    base = [finding(10, "a"), finding(20, "b")]
    head = [finding(14, "a"), finding(24, "b"), finding(30, "b"), finding(40, "c", "NP301")]
    assert [(f.span.line, f.message) for f in new_findings(base, head)] == [(30, "b"), (40, "c")]


def test_summary_headline_counts_new_findings_and_groups_them_by_severity() -> None:
    result = compute(BASE_WORKLOADS + DENY, BASE_WORKLOADS + DENY + web_to_api("[{port: 8080}]"))
    md = render_md(Impact.of(result, None, [], [finding(14, "podSelector {app=x} matches nothing")]))
    assert "**1 connection added, 0 removed; 1 new finding**" in md
    assert "**Warnings (1)**\n\n- `k8s/a.yaml:14` **NP202** peer-selects-nothing: podSelector {app=x}" in md


def claimed_pair(result: Diff, src: WorkloadKey, dst: WorkloadKey) -> tuple[ConnSet, ConnSet] | None:
    return next(((c.base, c.head) for c in result.changes if (c.src, c.dst) == (src, dst)), None)


def claimed_external(
    result: Diff, w: WorkloadKey, address: ipaddress.IPv4Address, outgoing: bool
) -> tuple[ConnSet, ConnSet] | None:
    for c in result.changes:
        own, ext = (c.src, c.dst) if outgoing else (c.dst, c.src)
        if own == w and isinstance(ext, ExternalRange) and any(address in ipaddress.ip_network(n) for n in ext.cidrs):
            return c.base, c.head
    return None


@settings(max_examples=40)
@given(clusters(), clusters())
def test_diff_agrees_with_the_evaluator_on_every_pair_and_address(a: Cluster, b: Cluster) -> None:
    eva, evb = Evaluator(a), Evaluator(b)
    result = diff(eva, evb)
    ia = {WorkloadKey(w.namespace, w.name, w.kind): i for i, w in enumerate(a.workloads)}
    ib = {WorkloadKey(w.namespace, w.name, w.kind): i for i, w in enumerate(b.workloads)}
    common = sorted(ia.keys() & ib.keys())
    for s in common:
        for d in common:
            if s != d:
                want = (eva.allowed_conns(ia[s], ia[d]), evb.allowed_conns(ib[s], ib[d]))
                assert (claimed_pair(result, s, d) or (want[0], want[0])) == want
    addresses = {atom.first for atom in (*eva.space.atoms, *evb.space.atoms) if atom.family == 4}
    for first in sorted(addresses):
        addr = ipaddress.IPv4Address(first)
        for w in common:
            out = (eva.allowed_conns(ia[w], addr), evb.allowed_conns(ib[w], addr))
            assert (claimed_external(result, w, addr, True) or (out[0], out[0])) == out
            inc = (eva.allowed_conns(addr, ia[w]), evb.allowed_conns(addr, ib[w]))
            assert (claimed_external(result, w, addr, False) or (inc[0], inc[0])) == inc
    assert {w.workload for w in result.appeared} == ib.keys() - ia.keys()
    assert NONE not in {c.head for c in result.changes if c.kind is Change.ADDED}
