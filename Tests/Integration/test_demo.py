"""`barge demo` end to end at a small scale: the embedded broker in-process,
the six use cases, every payload verified, the table printed, and the
claim check's object collected by the janitor after retention."""

from __future__ import annotations

import subprocess

from conftest import barge_bin


def test_demo_runs_every_use_case_verified(tmp_path):
    result = subprocess.run([barge_bin(), "demo", "--scale", "0.02", "--data-dir", str(tmp_path / "demo")],
                            capture_output=True, timeout=300)
    output = result.stdout.decode()
    assert result.returncode == 0, output + result.stderr.decode(errors="replace")
    rows = [line for line in output.splitlines() if line.split("  ")[0].strip() in
            ("machine vision", "video", "big CSV", "chat attachment", "model archive", "surveillance archive")]
    assert len(rows) == 6, output
    assert all(row.rstrip().endswith("yes") for row in rows), output
    assert "as at the source" in output
    assert "first byte played" in output
    assert "janitor: kept the object while referenced; after retention" in output
    assert "in the remote tier; replayed from offset 0" in output
    assert any((tmp_path / "demo" / "remote-tier").rglob("*.log")), "segments moved to the remote tier"
    objects = tmp_path / "demo" / "objects" / "model-archive"
    assert not objects.exists() or not any(objects.iterdir()), "the janitor deleted the model's object"


def test_demo_rejects_a_bad_scale(tmp_path):
    result = subprocess.run([barge_bin(), "demo", "--scale", "0", "--data-dir", str(tmp_path / "demo")],
                            capture_output=True, timeout=60)
    assert result.returncode == 64
