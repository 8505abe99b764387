"""Output written piece by piece: never one string of the whole output, nor one dict tree of it.

`iter_json` gives exactly the text of `json.dumps(value, indent=2)`, except that an `Items` in the
value is a JSON array whose elements are made (and encoded, by the C encoder) one at a time.
`write_chunks` writes such pieces to a file or to standard output, a few thousand at a time;
a reader that leaves early (`| head`, `| true`) ends the writing quietly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from policylint.reporters.chunked import ChunkedWriter
from policylint.reporters.pipe import quiet_on_closed_pipe

INDENT = "  "


class Items:
    """A JSON array made lazily: each element is built when it is written, then dropped."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def _leaf(value: Any, pad: str) -> str:
    # json.dumps escapes newlines inside strings, so every newline is a line break of the layout.
    return json.dumps(value, indent=2).replace("\n", "\n" + pad)


def iter_json(value: Any, level: int = 0) -> Iterator[str]:
    """The text of json.dumps(value, indent=2), in pieces (`Items` streamed)."""
    pad, inner = INDENT * level, INDENT * (level + 1)
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        sep = "{\n"
        for key, item in value.items():
            yield f"{sep}{inner}{json.dumps(str(key))}: "
            yield from iter_json(item, level + 1)
            sep = ",\n"
        yield f"\n{pad}}}"
    elif isinstance(value, Items | list | tuple):
        sep = "[\n"
        for item in value.items if isinstance(value, Items) else value:
            yield sep + inner
            if isinstance(item, dict | list | tuple | Items):
                yield from (iter_json(item, level + 1) if _nests(item) else (_leaf(item, inner),))
            else:
                yield _leaf(item, inner)
            sep = ",\n"
        yield "[]" if sep == "[\n" else f"\n{pad}]"
    else:
        yield _leaf(value, pad)


def _nests(value: Any) -> bool:
    """Does `value` hold an Items below it (only then is it walked here rather than encoded whole)?"""
    if isinstance(value, Items):
        return True
    if isinstance(value, dict):
        return any(isinstance(v, dict | list | tuple | Items) and _nests(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(isinstance(v, dict | list | tuple | Items) and _nests(v) for v in value)
    return False


def write_chunks(chunks: Iterable[str], output: str | None) -> None:
    """To the --output file, or to standard output, as the pieces come."""
    if output:
        with open(output, "w", encoding="utf-8") as fh, ChunkedWriter(fh) as out:
            for piece in chunks:
                out.add(piece)
        return
    with quiet_on_closed_pipe(), ChunkedWriter(sys.stdout) as out:
        for piece in chunks:
            out.add(piece)
