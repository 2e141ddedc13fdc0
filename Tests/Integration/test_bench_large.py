"""`barge bench large` end to end: a short run against the broker under test
moves an 8 MiB payload as plain records and as a Barge message, prints its
table and, as the last line, the throughput ratio, and leaves no files."""

import re
import subprocess

import pytest

from conftest import REPO, barge_bin

pytestmark = pytest.mark.timeout(120)


def test_bench_large_prints_the_ratio_line(broker, tmp_path):
    work = tmp_path / "bench"
    work.mkdir()
    result = subprocess.run(
        [barge_bin(), "bench", "large", "--bootstrap-servers", broker.bootstrap, "--size", "8MiB",
         "--rounds", "1", "--chunk-size", "256KiB", "--directory", str(work)],
        cwd=REPO, capture_output=True, text=True, timeout=110,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"large/plain throughput=\d+\.\d\d", lines[-1]), lines[-3:]
    rows = [line for line in lines if re.match(r"\| 1 \| ", line)]
    assert [row.split("|")[2].strip() for row in rows] == ["plain", "Barge"]
    assert list(work.iterdir()) == [], "the payload and output files are deleted"
