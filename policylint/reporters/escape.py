"""Escaping for each place output goes: Markdown (PR comment, job summary), GitHub workflow
commands (the log), and terminals. Whoever opens a pull request chooses file names, label
values and messages, so none of them may turn into markup, annotations or terminal control.
"""

from __future__ import annotations

import html
import re

# What starts inline Markdown: code, emphasis, strike, links and images, table cells, HTML and
# entities, mentions. (Bare URLs still autolink; they cannot hide or impersonate anything.)
_MD_SPECIAL = re.compile(r"[\\`*_\[\]!|~<>@&]")


def _visible(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def terminal(text: str) -> str:
    """One line, no control characters (ANSI escapes, CR, bidi overrides), no lone surrogates, and
    no other character that is not printable (zero-width and format characters, odd spaces)."""
    if text.isprintable():
        return text
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # undecodable file-name bytes
    return "".join(ch if ch.isprintable() else _visible(ch) for ch in text)


def md_text(text: str) -> str:
    """Plain text inside Markdown: entities for HTML (`<!--` cannot hide what follows), a
    backslash before every inline marker, so mentions, links and images stay text."""
    flat = terminal(text)
    return _MD_SPECIAL.sub(lambda m: "&#64;" if m.group() == "@" else html.escape(m.group()) if m.group() in "<>&"
                           else "\\" + m.group(), flat)  # fmt: skip


def md_code(text: str, in_table: bool = False) -> str:
    """A code span that shows `text` literally: a fence longer than any backtick run inside it
    (https://spec.commonmark.org/0.31.2/#code-spans). In a table cell `|` would still split
    the cell, so it is backslash-escaped, which GFM removes there (https://github.github.com/gfm/#example-200).
    """
    flat = terminal(text)
    if in_table:
        flat = flat.replace("|", "\\|")
    if not flat:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or longest else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def workflow_data(text: str) -> str:
    """The message of a workflow command (`::error ...::message`): %, CR and LF escaped, as
    GitHub's toolkit does (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts);
    then, as for a terminal, other control characters (the log renders ANSI escapes) and
    undecodable file-name bytes, which could not even be written to a UTF-8 log."""
    return terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def workflow_property(text: str) -> str:
    """A property value of a workflow command (`file=`, `title=`): also `:` and `,`."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
