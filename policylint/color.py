"""Whether to colour the output, and the colours: --color auto|always|never, NO_COLOR, FORCE_COLOR.

Order of precedence: --color always/never; then NO_COLOR (any non-empty value, https://no-color.org);
then FORCE_COLOR (`0` off, any other non-empty value on, as Node reads it); then whether the
stream is a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

CHOICES = ("auto", "always", "never")
STYLES = {"ALLOWED": "32;1", "BLOCKED": "31;1", "error": "31", "warning": "33", "info": "36", "dim": "2"}


def enabled(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force == "0":
        return False
    if force:
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, on: bool) -> str:
    """`text` in the style named (a STYLES key), or as is when colour is off."""
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m" if on else text


def verdicts(text: str, on: bool) -> str:
    """ALLOWED and BLOCKED coloured wherever they stand in a rendered answer."""
    if not on:
        return text
    for word in ("ALLOWED", "BLOCKED"):
        text = text.replace(word, paint(word, word, True))
    return text
