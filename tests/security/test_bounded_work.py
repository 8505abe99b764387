"""Ordinary inputs that once took superlinear time or memory (issue 17, point 8).

Bounds are about 10x the figure measured after the fix (bench/RESULTS.md, "Issue 17"), in CPU
seconds of this process, so a loaded machine does not make them flaky; the inputs are the
smallest that showed the defect clearly.
"""

from __future__ import annotations

import time

from policylint.load.stream import parse_stream

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: last, namespace: x}\n"


def test_yaml_error_recovery_is_linear() -> None:
    # 24,000 broken documents (144 KB): each error rescanned the rest of the file, 240 s; now 0.9 s.
    text = "---\n[\n" * 24_000 + "---\n" + POD
    start = time.process_time()
    stream = parse_stream(text, "f.yaml")
    assert time.process_time() - start < 9
    assert len(stream.problems) == 24_000
    # each error at its own document, and the valid one after them all still read
    assert [p.span.line for p in stream.problems[:3]] == [3, 5, 7]
    assert stream.problems[-1].span.line == 2 * 24_000 + 1
    assert [d.value["metadata"]["name"] for d in stream.documents] == ["last"]
