"""Standard output that may be closed early by its reader (`| head`, `| true`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_on_closed_pipe() -> Iterator[None]:
    """Stop writing when the reader has gone, without a traceback or a complaint at exit.

    The command then ends as it would have otherwise (its exit code says what it found, not that the
    reader stopped early). Standard output is pointed at /dev/null so the interpreter's final flush
    cannot fail again (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # no real file descriptor (captured output in tests)
            pass
