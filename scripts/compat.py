#!/usr/bin/env python3
"""Runs librdkafka's broker-facing tests against Barge's embedded broker.

Each test number runs in its own `test-runner` process (`-L`: no local-only
tests) with random topic names, TEST_KAFKA_VERSION set to the Kafka version
whose APIs the broker speaks, and a time bound. The tests of the
"noautocreate" scenario run against a second broker with
auto.create.topics.enable=false. The results, and for every test that does
not pass the cause recorded in scripts/compat-causes.txt, are written to
docs/compatibility.md. With --check, a test that passed in the recorded
results and does not pass now is a regression: the script exits 1.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUSES = ROOT / "scripts" / "compat-causes.txt"
DOC = ROOT / "docs" / "compatibility.md"
TABLE_HEADER = "| test | scenario | names | result | seconds | cause |"
RESULT_LINE = re.compile(r"=+ Test (\S+) (PASSED|FAILED|SKIPPED)")
SKIP_LINE = re.compile(r"\[(\w+)\s*/[^\]]*\] WARN: SKIPPING TEST: ([^\n\x1b]*)")
FAILURE_LINE = re.compile(r"(### Test .* failed at .*|Test failure.*|TEST FAILURE.*|.*: FAIL.*)")


@dataclass
class Outcome:
    number: str
    scenario: str
    names: list[str]
    result: str
    seconds: float
    detail: str


class Broker:
    """`barge broker` on a free loopback port with its own data directory."""

    def __init__(self, barge: str, workdir: Path, settings: dict[str, str]) -> None:
        self.barge, self.workdir, self.settings = barge, workdir, settings
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_path = workdir / "broker.log"

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cmd = [self.barge, "broker", "--listen", f"127.0.0.1:{self.port}", "--data-dir", str(self.workdir / "data")]
        for key, value in self.settings.items():
            cmd += ["--set", f"{key}={value}"]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker exited with {self.proc.returncode}; see {self.log_path}")
            if self.answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"broker did not answer within 60 s; see {self.log_path}")

    def answers(self) -> bool:
        """Whether the broker answers an ApiVersions v0 request."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.settimeout(5)
                body = struct.pack(">hhih", 18, 0, 1, 6) + b"compat"
                s.sendall(struct.pack(">i", len(body)) + body)
                head = s.recv(8)
                return len(head) >= 8 and struct.unpack(">i", head[4:8])[0] == 1
        except OSError:
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.answers()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def broker_facing_tests(runner: Path) -> list[tuple[str, list[str], str, bool]]:
    """(number, names, scenario, known issue) of every group of tests in test.c that needs a broker.

    The runner selects tests by number and scenario, so the tests of one
    number and one scenario run together, in one process."""
    source = (runner.parent / "test.c").read_text()
    body = source[source.index("struct test tests[] = {"):]
    body = body[:body.index("{NULL}")]
    groups: dict[tuple[str, str], tuple[list[str], bool]] = {}
    for entry in body.split("_TEST(")[1:]:
        name, _, rest = entry.partition(",")
        rest = " ".join(re.sub(r"/\*.*?\*/|#.*", "", rest, flags=re.S).split())
        flags = rest.split(",")[0]
        if "TEST_F_LOCAL" in flags or "TEST_F_MANUAL" in flags:
            continue
        scenario_match = re.search(r'\.scenario\s*=\s*"(\w+)"', rest)
        scenario = scenario_match.group(1) if scenario_match else "default"
        known_issue = re.search(r"\bTEST_F_KNOWN_ISSUE\b", flags) is not None
        names, known = groups.get((name[:4], scenario), ([], False))
        groups[(name[:4], scenario)] = (names + [name], known or known_issue)
    return [(number, names, scenario, known) for (number, scenario), (names, known) in sorted(groups.items())]


def run_test(runner: Path, number: str, names: list[str], scenario: str, known_issue: bool, broker: Broker,
             kafka_version: str, timeout: float, logdir: Path) -> Outcome:
    conf = logdir / "test.conf"
    conf.write_text(f"bootstrap.servers=127.0.0.1:{broker.port}\ntest.topic.random=true\n")
    env = dict(os.environ, TESTS=number, TEST_KAFKA_VERSION=kafka_version, RDKAFKA_TEST_CONF=str(conf),
               TEST_SCENARIO=scenario)
    # -k: only tests librdkafka marks as known issues (its runner skips them otherwise).
    cmd = [str(runner), "-L", "-S", "-s", scenario] + (["-k"] if known_issue else [])
    log_path = logdir / f"{number}-{scenario}.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=runner.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
    seconds = time.monotonic() - started
    text = log_path.read_text(errors="replace")
    states = dict(RESULT_LINE.findall(text))
    failures = [m.group(1).strip() for m in FAILURE_LINE.finditer(text)]
    detail = failures[0][:300] if failures else ""
    if code is None:
        result = "TIMEOUT"
        detail = detail or f"no result within {timeout:.0f} s"
    elif any(states.get(n) == "FAILED" for n in names) or code != 0:
        result = "FAILED"
    elif names and all(states.get(n) == "SKIPPED" for n in names):
        result = "SKIPPED"
        reasons = [reason for test, reason in SKIP_LINE.findall(text) if test in names]
        detail = detail or (reasons[-1].strip() if reasons else "")
    elif all(states.get(n) in ("PASSED", "SKIPPED") for n in names):
        result = "PASSED"
    elif code == 0 and not any(n in states for n in names):
        result = "SKIPPED"
        detail = detail or "the runner ran none of them"
    else:
        result = "FAILED"
        detail = detail or f"exit {code}, no result line"
    return Outcome(number, scenario, names, result, seconds, detail)


def load_causes() -> dict[str, str]:
    causes = {}
    for line in CAUSES.read_text().splitlines() if CAUSES.exists() else []:
        if line.strip() and not line.startswith("#"):
            number, _, cause = line.partition("\t")
            causes[number.strip()] = cause.strip()
    return causes


def recorded_commit() -> str | None:
    """The commit of the run recorded in docs/compatibility.md."""
    match = re.search(r"^Last run: [^,]*, commit (\w+),", DOC.read_text(), re.M) if DOC.exists() else None
    return match.group(1) if match else None


def recorded_results() -> dict[str, str]:
    """The result of every test in the table of docs/compatibility.md."""
    results = {}
    if DOC.exists():
        for line in DOC.read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 6 and re.fullmatch(r"\d{4}", cells[0]):
                results[f"{cells[0]}/{cells[1]}"] = cells[3]
    return results


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_doc(outcomes: list[Outcome], args: argparse.Namespace, causes: dict[str, str], minutes: float,
              previous: dict[str, str], previous_commit: str | None) -> None:
    counts = {r: sum(1 for o in outcomes if o.result == r) for r in ("PASSED", "FAILED", "TIMEOUT", "SKIPPED")}
    cpus = os.cpu_count()
    lines = [
        "# Compatibility: librdkafka's own tests against the embedded broker",
        "",
        "`make compat` (scripts/compat.sh) downloads Debian's librdkafka source",
        "(2.0.2, the version Debian ships and Barge's Swift client links), builds",
        "its test runner, and runs every broker-facing test (`test-runner -L`,",
        "random topic names, one process per test number, a time bound each)",
        "against `barge broker`. It is not part of `make test`. `--check` fails",
        "if a test that passed in the table below does not pass any more.",
        "",
        f"Last run: {datetime.date.today().isoformat()}, commit {commit()}, {platform.machine()} with {cpus} cores,"
        f" `TEST_KAFKA_VERSION={args.kafka_version}` (the Kafka release whose API versions the broker offers),"
        f" time bound {args.timeout:.0f} s per test, {minutes:.0f} minutes in all.",
        "",
        f"Passed {counts['PASSED']}, failed {counts['FAILED']}, timed out {counts['TIMEOUT']},"
        f" skipped by the runner {counts['SKIPPED']}, of {len(outcomes)} test numbers.",
        "",
        comparison(outcomes, previous, previous_commit),
        "",
        "A cause names what is missing or wrong: an API the broker does not offer yet,",
        "a client bug of librdkafka 2.0.2, a test that needs Kafka's shell tools",
        "or a multi-broker cluster. Causes live in scripts/compat-causes.txt; a",
        "failure without one says so.",
        "",
        TABLE_HEADER,
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        known = causes.get(f"{o.number}/{o.scenario}", causes.get(o.number))
        cause = "" if o.result == "PASSED" else known or f"not analysed yet: {o.detail}".strip()
        cause = cause.replace("|", "\\|")
        lines.append(f"| {o.number} | {o.scenario} | {', '.join(o.names)} | {o.result} | {o.seconds:.0f} | {cause} |")
    DOC.write_text("\n".join(lines) + "\n")


def comparison(outcomes: list[Outcome], previous: dict[str, str], previous_commit: str | None) -> str:
    """One sentence comparing this run with the one recorded before it."""
    if not previous:
        return "No earlier run was recorded."
    key = lambda o: f"{o.number}/{o.scenario}"
    lost = [key(o) for o in outcomes if previous.get(key(o)) == "PASSED" and o.result != "PASSED"]
    gained = [key(o) for o in outcomes if previous.get(key(o)) not in (None, "PASSED") and o.result == "PASSED"]
    return (f"Against the run before it (commit {previous_commit or 'unknown'}, {sum(r == 'PASSED' for r in previous.values())} passed):"
            f" {len(lost)} that passed fail now{': ' + ', '.join(lost) if lost else ''};"
            f" {len(gained)} pass that did not{': ' + ', '.join(gained) if gained else ''}.")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runner", required=True, type=Path, help="librdkafka's tests/test-runner")
    default_barge = ROOT / ".build" / "release" / "barge"
    if not default_barge.exists():
        default_barge = ROOT / ".build" / "debug" / "barge"
    ap.add_argument("--barge", default=str(default_barge))
    ap.add_argument("--kafka-version", default="3.7.0")
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--tests", help="comma-separated test numbers (default: all broker-facing tests)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a test recorded as PASSED does not pass")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite docs/compatibility.md")
    args = ap.parse_args()
    runner = args.runner.resolve()

    tests = broker_facing_tests(runner)
    if args.tests:
        wanted = set(args.tests.split(","))
        tests = [t for t in tests if t[0] in wanted]
    previous = recorded_results()
    previous_commit = recorded_commit()
    causes = load_causes()
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="barge-compat-") as tmp:
        work = Path(tmp)
        brokers: dict[str, Broker] = {}
        try:
            for number, names, scenario, known_issue in tests:
                broker = brokers.get(scenario)
                if broker is None or not broker.alive():
                    directory = work / f"broker-{scenario}-{number}"
                    directory.mkdir()
                    # As librdkafka's test clusters (tests/scenarios/*.json): 4 partitions per auto-created topic.
                    settings = {"num.partitions": "4",
                                "auto.create.topics.enable": "false" if scenario == "noautocreate" else "true"}
                    broker = brokers[scenario] = Broker(args.barge, directory, settings)
                    broker.start()
                logdir = work / "logs"
                logdir.mkdir(exist_ok=True)
                outcome = run_test(runner, number, names, scenario, known_issue, broker, args.kafka_version, args.timeout, logdir)
                if not broker.alive():
                    outcome.result, outcome.detail = "FAILED", f"the broker stopped answering; see {broker.log_path}"
                outcomes.append(outcome)
                print(f"{number} {scenario:12} {outcome.result:8} {outcome.seconds:6.1f}s {','.join(names)} {outcome.detail[:120]}",
                      flush=True)
                if outcome.result != "PASSED":
                    keep = ROOT / ".build" / "compat" / "logs"
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"{number}-{scenario}.log").write_bytes((logdir / f"{number}-{scenario}.log").read_bytes())
        finally:
            for broker in brokers.values():
                broker.stop()

    minutes = (time.monotonic() - started) / 60
    regressions = [o for o in outcomes if previous.get(f"{o.number}/{o.scenario}") == "PASSED" and o.result != "PASSED"]
    if not args.no_write and not args.tests:
        write_doc(outcomes, args, causes, minutes, previous, previous_commit)
    passed = sum(1 for o in outcomes if o.result == "PASSED")
    print(f"compat: {passed} of {len(outcomes)} passed in {minutes:.1f} min; logs of the others in .build/compat/logs")
    if args.check and regressions:
        print("compat: passed before, not now: " + ", ".join(f"{o.number}/{o.scenario} ({o.result})" for o in regressions))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
