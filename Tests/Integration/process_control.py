"""Stopping the servers the tests start."""

from __future__ import annotations

import signal
import subprocess


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
