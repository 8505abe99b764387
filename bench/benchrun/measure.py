"""Run one measurement in a fresh process: wall time, peak memory, exit code."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    returncode: int
    timed_out: bool
    stdout: str
    stderr: str
    cpu: float = 0.0  # user + system seconds of the child: steadier than wall time on a shared machine

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def run_child(cmd: list[str], timeout: float, capture_stdout: bool = False, cwd: Path | None = None) -> Measurement:
    """Run `cmd` (stdout discarded unless captured); the peak RSS comes from wait4's rusage of that child."""
    stdout = subprocess.PIPE if capture_stdout else subprocess.DEVNULL
    with open(os.devnull, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        out, err = _drain(proc)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, usage.ru_maxrss / 1024, proc.returncode, killed.is_set(), out, err, cpu)


def _drain(proc: subprocess.Popen[bytes]) -> tuple[str, str]:
    """Read stdout and stderr to EOF without reaping the child (wait4 does that, for its rusage)."""
    chunks: dict[str, bytes] = {}

    def read(name: str, stream: Any) -> None:
        chunks[name] = b""
        if stream is not None:
            chunks[name] = stream.read()
            stream.close()

    threads = [threading.Thread(target=read, args=(n, s)) for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (chunks["out"].decode("utf-8", "replace"), chunks["err"].decode("utf-8", "replace"))


def last_json(text: str) -> dict[str, Any] | None:
    """The last line of `text` that parses as a JSON object (what a probe prints)."""
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
