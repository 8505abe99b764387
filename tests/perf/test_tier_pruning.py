"""Pair pruning with dialect tiers (issue 18): the streamed matrix and the incremental diff skip
the sides no tier policy is about, and give exactly what evaluating every pair gives.

Generated clusters carry 2-3 tiers of every Combine kind (tests/properties/tier_strategies.py),
sometimes one holding the NetworkPolicies, so shortcuts are tried against Pass, Deny, defaults
and native NetworkPolicy isolation alike.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "properties"))
from strategies import policies  # noqa: E402
from tier_strategies import ACTIONS, tier_policies, tiered_clusters  # noqa: E402

from policylint.engine.concrete import Evaluator  # noqa: E402
from policylint.engine.connset import ConnSet  # noqa: E402
from policylint.engine.flow import Assumptions  # noqa: E402
from policylint.engine.matrix import External, PairPlan, compute_matrix, iter_connections  # noqa: E402
from policylint.engine.matrix import _layered_pieces as every_atom_walked  # noqa: E402
from policylint.model import Cluster, Direction  # noqa: E402
from policylint.queries import diff as diff_module  # noqa: E402
from policylint.queries.diff import diff  # noqa: E402
from policylint.queries.diff_scope import scope  # noqa: E402

assumptions = st.builds(Assumptions, host_network_selectable=st.booleans())
Key = tuple[str, int, int | frozenset[tuple[int, ConnSet]]]


def every_pair_evaluated(ev: Evaluator) -> set[Key]:
    """The matrix with no shortcut: every ordered pair walked through every tier, and every address
    atom asked on its own."""
    out: set[Key] = set()
    n = len(ev.workloads)
    for s in range(n):
        for d in range(n):
            if s != d and (conns := ev.allowed_conns(s, d)):
                out.add(("pair", s, d, conns))  # type: ignore[arg-type]
    for w in range(n):
        for direction in Direction:
            pieces = frozenset((atoms, conns) for atoms, conns in every_atom_walked(ev, w, direction))
            out.add((direction.value, w, pieces))
    return out


def as_keys(ev: Evaluator, connections: list[object]) -> set[Key]:
    pairs: set[Key] = set()
    pieces: dict[tuple[str, int], set[tuple[int, ConnSet]]] = {}
    for c in connections:
        src, dst, conns = c.src, c.dst, c.conns  # type: ignore[attr-defined]
        if isinstance(src, int) and isinstance(dst, int):
            pairs.add(("pair", src, dst, conns))  # type: ignore[arg-type]
        elif isinstance(dst, External):
            pieces.setdefault((Direction.EGRESS.value, src), set()).add((dst.atoms, conns))
        else:
            pieces.setdefault((Direction.INGRESS.value, dst), set()).add((src.atoms, conns))
    for w in range(len(ev.workloads)):
        for direction in Direction:
            pairs.add((direction.value, w, frozenset(pieces.get((direction.value, w), ()))))
    return pairs


@settings(max_examples=60, deadline=None)
@given(tiered_clusters(), assumptions)
def test_the_pruned_matrix_with_tiers_is_every_pair_evaluated(cluster: Cluster, assume: Assumptions) -> None:
    ev = Evaluator(cluster, assume)
    expected = every_pair_evaluated(ev)
    assert as_keys(ev, list(iter_connections(ev))) == expected
    assert as_keys(ev, list(compute_matrix(ev).connections)) == expected


@settings(max_examples=30, deadline=None)
@given(tiered_clusters())
def test_sides_no_tier_is_about_are_not_walked(cluster: Cluster) -> None:
    """The shortcut is taken: a pair whose sides no tier policy is about and no NetworkPolicy
    isolates is "all" without a walk (and such pairs exist whenever a tier selects little)."""
    ev = Evaluator(cluster)
    plan = PairPlan(ev)
    assert ev.layers is not None
    free_out = [w for w in range(len(ev.workloads)) if not plan.out_iso[w]]
    free_in = [w for w in range(len(ev.workloads)) if not plan.in_iso[w]]
    for w in free_out:
        assert not ev.layers.touched(Direction.EGRESS) >> w & 1
    for w in free_in:
        assert not ev.layers.touched(Direction.INGRESS) >> w & 1
    walks = 0
    real_walk = ev.layers.walk

    def counted(*args: object, **kw: object) -> object:
        nonlocal walks
        walks += 1
        return real_walk(*args, **kw)  # type: ignore[arg-type]

    ev.layers.walk = counted  # type: ignore[method-assign]
    for s in free_out:
        for d in free_in:
            if s != d:
                assert plan.conns(s, d).is_all
    assert walks == 0


@st.composite
def tier_edits(draw: st.DrawFn) -> tuple[Cluster, Cluster]:
    """A tiered cluster and the same with tier policies dropped, replaced or added, and sometimes
    its NetworkPolicies edited (workloads, namespaces and the tiers' frames unchanged)."""
    base = draw(tiered_clusters())
    tiers = []
    for t, tier in enumerate(base.tiers):
        pols = [p for p in tier.policies if draw(st.integers(0, 3))]  # most kept
        pols += [draw(tier_policies(f"new{t}-{i}", ACTIONS[tier.combine])) for i in range(draw(st.integers(0, 2)))]
        tiers.append(replace(tier, policies=tuple(sorted(pols, key=lambda p: p.order))))
    nps = list(base.policies)
    if draw(st.booleans()):
        nps = [p for p in nps if draw(st.booleans())] + [draw(policies("edited", [n.name for n in base.namespaces]))]
    return base, Cluster.of(list(base.namespaces), list(base.workloads), (), nps, tuple(tiers))


@settings(max_examples=60, deadline=None)
@given(tier_edits())
def test_incremental_diff_with_tiers_equals_the_full_diff(sides: tuple[Cluster, Cluster]) -> None:
    base, head = (Evaluator(c) for c in sides)
    sc = scope(base, head)
    assert sc is not None  # same workloads, namespaces and tier frames: the incremental path runs
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(diff_module, "scope", lambda _b, _h: None)
        full = diff(base, head)
    assert diff(base, head) == full


@given(tiered_clusters())
def test_a_tier_frame_change_makes_the_diff_compare_everything(cluster: Cluster) -> None:
    moved = replace(cluster.tiers[0], rank=cluster.tiers[0].rank + 1)
    head = Cluster.of(list(cluster.namespaces), list(cluster.workloads), (), list(cluster.policies),
                      (moved, *cluster.tiers[1:]))  # fmt: skip
    assert scope(Evaluator(cluster), Evaluator(head)) is None
