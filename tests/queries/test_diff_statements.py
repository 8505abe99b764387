"""Symbolic diff statements: "any pod in namespace x" only when z3 proves it on both sides.

The property test checks each proven statement against the concrete evaluator with a pod the
input did not have: added to both sides, it must change exactly as the statement says.
"""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.load import load_text
from policylint.model import Workload
from policylint.model.cluster import Cluster
from policylint.queries.diff import Change, Diff, ExternalRange, WorkloadKey, diff
from policylint.queries.diff_statements import Group, Prover, Statement, StatementEnd, statements
from policylint.queries.impact import Impact
from policylint.reporters.diff import render_json, render_text

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "properties")]
from strategies import NAMESPACES, clusters, labels, policies, workloads  # noqa: E402
from test_diff import BASE_WORKLOADS, DENY, allow, compute, deny_all, deploy  # noqa: E402

SHOP = BASE_WORKLOADS + deploy("shop", "cart")


def from_namespace(ns: str) -> str:
    return f"[{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {ns}}}}}}}]"


def all_pods(policy: str) -> str:
    return policy.replace("podSelector: {matchLabels: {app: any}}", "podSelector: {}")


SHOP_EGRESS_5432 = all_pods(allow("shop", "db-out", "any", "egress", "[{namespaceSelector: {}}]", "[{port: 5432}]"))
DB_FROM_SHOP = allow("data", "db-in", "db", "ingress", from_namespace("shop"), "[{port: 5432}]")


def said(base: str, head: str, kind: Change = Change.ADDED) -> tuple[Diff, dict[Change, list[Statement]]]:
    """The diff, and its statements by section, checking that `kind` is the only section with any."""
    evs = [Evaluator(load_text(text, "m.yaml").cluster) for text in (base, head)]
    result = diff(evs[0], evs[1])
    by_kind = statements(result, Prover(evs[0], evs[1]))
    assert [k for k, rows in by_kind.items() if rows] == [kind]
    return result, by_kind


def lines(by_kind: dict[Change, list[Statement]]) -> list[tuple[str, str]]:
    return [(str(r.src), str(r.dst)) for rows in by_kind.values() for r in rows]


def test_a_namespace_wide_allow_is_said_for_any_pod_of_the_namespace() -> None:
    result, rows = said(SHOP + DENY, SHOP + DENY + SHOP_EGRESS_5432 + DB_FROM_SHOP)
    assert lines(rows) == [("any pod in namespace shop", "data/db[Deployment]")]
    assert rows[Change.ADDED][0].pairs == 3
    text = render_text(Impact(result, rows, {}))
    assert "  any pod in namespace shop -> data/db[Deployment] : TCP 5432" in text


def test_removing_it_is_said_for_any_pod_too() -> None:
    _, rows = said(SHOP + DENY + SHOP_EGRESS_5432 + DB_FROM_SHOP, SHOP + DENY, Change.REMOVED)
    assert lines(rows) == [("any pod in namespace shop", "data/db[Deployment]")]


def test_an_allow_listing_the_current_workloads_stays_a_statement_about_them() -> None:
    by_name = "[{podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api, cart]}]}, " + (
        "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]"
    )
    db_in = allow("data", "db-in", "db", "ingress", by_name, "[{port: 5432}]")
    _, rows = said(SHOP + DENY, SHOP + DENY + SHOP_EGRESS_5432 + db_in)
    # A new pod labelled app=cache in shop would not get through: "any pod" would be false.
    assert lines(rows) == [("every workload in namespace shop (3)", "data/db[Deployment]")]


def test_a_pod_that_base_already_allowed_keeps_the_statement_concrete() -> None:
    legacy = "[{podSelector: {matchLabels: {role: legacy}}, " + from_namespace("shop")[2:]
    base_db_in = allow("data", "db-in", "db", "ingress", legacy, "[{port: 5432}]")
    _, rows = said(SHOP + DENY + SHOP_EGRESS_5432 + base_db_in, SHOP + DENY + SHOP_EGRESS_5432 + DB_FROM_SHOP)
    # Every workload gained TCP 5432, but a pod labelled role=legacy had it already: not "any pod".
    assert lines(rows) == [("every workload in namespace shop (3)", "data/db[Deployment]")]


def test_an_allow_from_every_namespace_is_said_once_for_any_pod_in_any_namespace() -> None:
    workloads = SHOP + deploy("ops", "mon") + deploy("ops", "log")
    deny_db = deny_all("data").replace("[Ingress, Egress]", "[Ingress]")
    db_in = allow("data", "db-in", "db", "ingress", "[{namespaceSelector: {}}]", "[{port: 5432}]")
    result, rows = said(workloads + deny_db, workloads + deny_db + db_in)
    assert lines(rows) == [("any pod in any namespace", "data/db[Deployment]")]
    assert rows[Change.ADDED][0].pairs == len(result.of_kind(Change.ADDED)) == 5


def test_a_range_opened_to_a_whole_namespace_is_said_for_any_pod() -> None:
    public = all_pods(allow("shop", "public", "any", "ingress", "[{ipBlock: {cidr: 0.0.0.0/0}}]", "[{port: 8080}]"))
    result, rows = said(SHOP + DENY, SHOP + DENY + public)
    assert lines(rows) == [("0.0.0.0/0", "any pod in namespace shop")]
    assert '"any_pod": true' in render_json(Impact(result, rows, {}))


def test_without_a_prover_grouping_is_concrete() -> None:
    result = compute(SHOP + DENY, SHOP + DENY + SHOP_EGRESS_5432 + DB_FROM_SHOP)
    assert lines(statements(result)) == [("every workload in namespace shop (3)", "data/db[Deployment]")]


def in_list(names: list[str]) -> str:
    return (
        f"[{{podSelector: {{matchExpressions: [{{key: app, operator: In, values: [{', '.join(names)}]}}]}}, "
        + (from_namespace("shop")[2:])
    )


def test_a_namespace_but_a_few_is_said_with_its_exceptions() -> None:
    workloads = SHOP + deploy("shop", "batch")
    db_in = allow("data", "db-in", "db", "ingress", in_list(["web", "api", "cart"]), "[{port: 5432}]")
    _, rows = said(workloads + DENY + SHOP_EGRESS_5432, workloads + DENY + SHOP_EGRESS_5432 + db_in)
    assert lines(rows) == [("every workload in namespace shop except batch[Deployment] (3)", "data/db[Deployment]")]


def test_too_many_pairs_to_list_are_counted_per_namespace() -> None:
    names = [f"w{i}" for i in range(16)]
    workloads = BASE_WORKLOADS + "".join(deploy("shop", n) for n in names)
    db_in = allow("data", "db-in", "db", "ingress", in_list(names[:12]), "[{port: 5432}]")
    _, rows = said(workloads + DENY + SHOP_EGRESS_5432, workloads + DENY + SHOP_EGRESS_5432 + db_in)
    assert lines(rows) == [("12 of 18 workloads in namespace shop", "data/db[Deployment]")]
    assert rows[Change.ADDED][0].pairs == 12


def test_a_new_workload_lists_its_peers_by_namespace() -> None:
    evs = [Evaluator(load_text(text, "m.yaml").cluster) for text in (SHOP, SHOP + deploy("shop", "new"))]
    impact = Impact.of(diff(*evs), Prover(*evs))
    [new] = impact.diff.appeared
    text = render_text(impact)
    # No policy anywhere: a proof on HEAD (BASE has no such workload, so no flow to check there).
    assert "  shop/new[Deployment]\n    -> any pod in any namespace : All Connections\n" in text
    assert "    <- any pod in any namespace : All Connections\n" in text
    assert (
        "shop/new[Deployment] (new) is reachable from any pod in any namespace and outside the cluster (0.0.0.0/0,::/0)"
        in text
    )


# -- property: a statement holds for a pod the input does not have ---------------------------


@st.composite
def policy_changes(draw: st.DrawFn) -> tuple[Cluster, Cluster]:
    """The same workloads on both sides (as in most pull requests), different policies."""
    base = draw(clusters())
    ns_names = [ns.name for ns in base.namespaces]
    n = draw(st.integers(1, 4))
    head_policies = [draw(policies(f"h{i}", ns_names)) for i in range(n)]
    keep = draw(st.lists(st.sampled_from(base.policies), unique=True)) if base.policies else []
    return base, Cluster.of(list(base.namespaces), list(base.workloads), (), [*keep, *head_policies])


End = WorkloadKey | Workload | ipaddress.IPv4Address | ipaddress.IPv6Address


def instance(end: StatementEnd, name: str, base: Cluster, data: st.DataObject) -> End:
    """One endpoint the statement speaks of: a new pod for "any pod", else a member or an address."""
    if isinstance(end, ExternalRange):
        return ipaddress.ip_network(data.draw(st.sampled_from(end.cidrs))).network_address
    if not isinstance(end, Group):
        return end
    if not end.any_pod:
        keys = [WorkloadKey(w.namespace, w.name, w.kind) for w in base.workloads]
        return data.draw(st.sampled_from([k for k in keys if end.covers(k)]))
    ns = end.namespace or data.draw(st.sampled_from((*NAMESPACES, "brand-new")))
    probe = data.draw(workloads(name, [ns]))
    return replace(probe, labels=data.draw(labels), host_network=False)


def conns(cluster: Cluster, src: End, dst: End) -> ConnSet:
    new = [e for e in (src, dst) if isinstance(e, Workload)]
    grown = Cluster.of(list(cluster.namespaces), [*cluster.workloads, *new], (), list(cluster.policies))
    keys = {WorkloadKey(w.namespace, w.name, w.kind): i for i, w in enumerate(grown.workloads)}

    def point(e: End) -> int | ipaddress.IPv4Address | ipaddress.IPv6Address:
        if isinstance(e, Workload):
            return keys[WorkloadKey(e.namespace, e.name, e.kind)]
        return keys[e] if isinstance(e, WorkloadKey) else e

    return Evaluator(grown).allowed_conns(point(src), point(dst))


@settings(max_examples=60)
@given(policy_changes(), st.data())
def test_statements_hold_for_pods_added_to_both_sides(pair: tuple[Cluster, Cluster], data: st.DataObject) -> None:
    base, head = pair
    evs = Evaluator(base), Evaluator(head)
    result = diff(*evs)
    for rows in statements(result, Prover(*evs)).values():
        for row in rows:
            if any(isinstance(e, Group) and e.of for e in (row.src, row.dst)):
                continue  # a count, not a set the test can pick from
            src, dst = instance(row.src, "zz-src", base, data), instance(row.dst, "zz-dst", base, data)
            if src == dst:
                continue  # a workload and itself: not a pair the statement covers
            before, after = conns(base, src, dst), conns(head, src, dst)
            assert not (before & row.gained) and (after & row.gained) == row.gained, (row, src, dst)
            assert (before & row.lost) == row.lost and not (after & row.lost), (row, src, dst)
