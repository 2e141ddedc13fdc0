"""Stopping, freezing and thawing the processes the tests start."""

from __future__ import annotations

import os
import signal
import subprocess
import time


def terminate(proc: subprocess.Popen, grace: float) -> int | None:
    """SIGTERM, then SIGKILL after `grace` seconds; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return proc.returncode


def freeze(proc: subprocess.Popen, timeout: float = 30.0) -> bool:
    """SIGSTOP, then waits (bounded) until every thread of the process is stopped, so
    what it has written stays as it is while the test looks. False if it exited first."""
    proc.send_signal(signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        try:
            states = []
            for task in os.listdir(f"/proc/{proc.pid}/task"):
                with open(f"/proc/{proc.pid}/task/{task}/stat") as f:
                    states.append(f.read().rsplit(")", 1)[1].split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
        if states and all(state in ("T", "t") for state in states):
            return True
        if time.monotonic() > deadline:
            raise AssertionError(f"process {proc.pid} not stopped {timeout} s after SIGSTOP: thread states {states}")
        time.sleep(0.001)
    return False


def thaw(proc: subprocess.Popen) -> None:
    """SIGCONT: lets a frozen process go on."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)
