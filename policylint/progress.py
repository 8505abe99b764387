"""One progress line on stderr for long runs: only on a terminal, only after a second, never with --quiet.

The work itself is not interrupted: a daemon thread redraws the current stage (set by `stage`)
with the time spent, and `close` erases the line before the result is printed.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

DELAY_SECONDS = 1.0
REFRESH_SECONDS = 0.25


class Progress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False, delay: float = DELAY_SECONDS) -> None:
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.on = not quiet and bool(isatty and isatty())
        self.delay, self.start = delay, time.monotonic()
        self.text = "starting"
        self.shown = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if self.on:
            self._thread = threading.Thread(target=self._run, name="policylint-progress", daemon=True)
            self._thread.start()

    def stage(self, text: str) -> None:
        """What the run is doing now (`reading files`, `running 42 rules`, `computing pairs`)."""
        self.text = text

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            with self._lock:
                elapsed = time.monotonic() - self.start
                self.stream.write(f"\r\x1b[Kpolicylint: {self.text} ({elapsed:.0f} s)")
                self.stream.flush()
                self.shown = True
            self._stop.wait(REFRESH_SECONDS)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
