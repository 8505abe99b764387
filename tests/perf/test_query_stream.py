"""`query -f json` on sets of endpoints streams its pairs: the same bytes as the answer built whole.

`reach.set_answer` holds every pair (4.7 GB at 5,000 dense workloads for `--from any --to any`);
`pair_stream.PairStream` makes them one source at a time, and `reporters.query.iter_json` writes them
as they come. The reference is the old path: `render_json(set_answer(...))`.
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from strategies import clusters

from policylint import api
from policylint.engine.concrete import Evaluator
from policylint.engine.connset import ConnSet
from policylint.model import Cluster
from policylint.queries.endpoints import resolve
from policylint.queries.explain import want_of
from policylint.queries.pair_stream import PairStream
from policylint.queries.reach import Answer, set_answer
from policylint.reporters.query import iter_json, render_json

ROOT = Path(__file__).resolve().parents[2]
ENDS = ("any", "10.0.0.0/8", "0.0.0.0/0")
WANTS = (None, want_of(80, None), want_of(None, api.Protocol.UDP))


def streamed(ev: Evaluator, src: str, dst: str, want: ConnSet | None) -> str:
    s, d = resolve(ev, src), resolve(ev, dst)
    stream = PairStream(ev, s, d, want)
    union = stream.union()
    return "".join(iter_json(Answer(s, d, want, bool(union), union, pair_stream=stream)))


@given(clusters(), st.sampled_from(ENDS), st.sampled_from(ENDS), st.sampled_from(WANTS))
def test_streamed_set_answer_is_the_answer_built_whole(cluster: Cluster, src: str, dst: str,
                                                       want: ConnSet | None) -> None:  # fmt: skip
    ev = Evaluator(cluster, None, [ipaddress.ip_network("10.0.0.0/8")])
    whole = render_json(set_answer(ev, resolve(ev, src), resolve(ev, dst), want))
    assert streamed(ev, src, dst, want) == whole


def test_cli_json_on_a_dense_cluster_is_the_document_it_was(tmp_path: Path) -> None:
    root = tmp_path / "dense"
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--workloads", "200", "--profile", "dense"]
    subprocess.run([*gen, "--out", str(root)], check=True, capture_output=True)
    source = api.load([str(root)], validate=False, cache=False)
    for src, dst in (("any", "any"), ("any", "0.0.0.0/0"), ("0.0.0.0/0", "any")):
        whole = render_json(api.query(source, src, dst, smt=False))
        cmd = [sys.executable, "-m", "policylint", "query", str(root), "--from", src, "--to", dst, "-f", "json",
               "--no-smt", "--no-cache"]  # fmt: skip
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=tmp_path).stdout
        assert out == whole, (src, dst)
        assert whole.count('"src"') > (1000 if src == dst else 0)  # pairs were listed, not an empty answer
