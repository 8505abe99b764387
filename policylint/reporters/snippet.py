"""Source snippets under a finding, as ruff shows them: the line, then a caret under the span.

      |
   12 |         - ipBlock: {cidr: 10.1.2.3/16}
      |                           ^^^^^^^^^^^

One line of context is not shown (YAML findings point at a key or value, which the line alone
makes clear). Long lines are cut to a window around the column; control characters are escaped.
"""

from __future__ import annotations

from policylint.findings import Span
from policylint.reporters.escape import terminal

WIDTH = 120  # characters of a long line shown around the column


def snippet(span: Span, text: str, gutter_color: str = "", caret_color: str = "", reset: str = "") -> list[str]:
    """The lines to print under a finding at `span` of a file whose text is `text` (none if the
    span is outside it)."""
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return []
    source = lines[span.line - 1].rstrip()
    start = max(span.column, 1) - 1
    end = span.end_column - 1 if span.end_line == span.line and span.end_column > span.column else start + 1
    end = min(max(end, start + 1), max(len(source), start + 1))
    cut = 0
    if len(source) > WIDTH:
        cut = max(0, min(start - WIDTH // 3, len(source) - WIDTH))
        source = ("…" if cut else "") + source[cut : cut + WIDTH] + ("…" if cut + WIDTH < len(source) else "")
        shift = cut - (1 if cut else 0)
        start, end = start - shift, min(end - shift, len(source))
    number = str(span.line)
    pad = " " * len(number)
    # Escaping may lengthen the text before the caret (a control character becomes \xNN).
    before = terminal(source[:start])
    marks = "^" * max(1, len(terminal(source[start:end])))
    bar = f"{gutter_color}|{reset}"
    return [
        f"{pad} {bar}",
        f"{gutter_color}{number}{reset} {bar} {terminal(source)}",
        f"{pad} {bar} {' ' * len(before)}{caret_color}{marks}{reset}",
    ]
