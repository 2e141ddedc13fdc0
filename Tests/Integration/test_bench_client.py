"""`barge bench client` end to end: a short run against the broker under test
prints its table and, as the last line, the throughput ratios."""

import re
import subprocess

import pytest

from conftest import REPO, barge_bin

pytestmark = pytest.mark.timeout(60)


def test_bench_client_prints_the_ratio_line(broker):
    result = subprocess.run(
        [barge_bin(), "bench", "client", "--bootstrap-servers", broker.bootstrap, "--records", "20", "--rounds", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=50,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"client/confluent-kafka produce=\d+\.\d\d consume=\d+\.\d\d", lines[-1]), lines[-3:]
    rows = [line for line in lines if re.match(r"\| 1 \| ", line)]
    assert [row.split("|")[2].strip() for row in rows] == ["Swift RdKafka", "confluent-kafka"]
