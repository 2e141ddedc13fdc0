# Barge: `make demo` runs the main job, `make test` runs every test.
SWIFT ?= swift
PYTHON ?= python3
BARGE_DEBUG := .build/debug/barge
BARGE_RELEASE := .build/release/barge
# pip installs SeaweedFS's `weed` into Python's scripts directory; the Swift S3 tests look on PATH.
PYTHON_SCRIPTS := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)
export PATH := $(PYTHON_SCRIPTS):$(PATH)

.PHONY: deps build release test unit-test integration-test check-generated generate demo bench bench-broker bench-client bench-large bench-claim-check bench-tiered bench-transactions bench-bridge bench-security compat clean

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build --build-tests

release: deps
	$(SWIFT) build -c release --product barge

## Regenerates the Kafka message codecs from ../shared/kafka-protocol.
generate:
	$(PYTHON) Tools/generate-kafka-messages.py

check-generated:
	$(PYTHON) Tools/generate-kafka-messages.py --check

unit-test: build
	$(SWIFT) test --skip-build --disable-xctest

## Two pytest workers (pytest-xdist), each taking whole files: most tests wait on processes and sockets, not CPU.
integration-test: build
	BARGE_BIN=$(abspath $(BARGE_DEBUG)) $(PYTHON) -m pytest -q -n 2 --dist loadfile Tests/Integration

test: check-generated unit-test integration-test

## Barge's use cases end to end on the embedded broker (data under ./.barge/demo), verified, with a table.
demo: release
	$(BARGE_RELEASE) demo

## Every benchmark against its peer in the same run; each rewrites its section of docs/benchmarks.md.
bench: bench-broker bench-client bench-large bench-claim-check bench-tiered bench-transactions bench-bridge bench-security

## The broker vs Tansu.
bench-broker: release
	$(PYTHON) Benchmarks/broker_throughput.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## The Swift client vs confluent-kafka on the embedded broker; rewrites that section of docs/benchmarks.md.
bench-client: release
	$(PYTHON) Benchmarks/client_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## One 1 GiB payload, Barge vs plain records, and the peak RSS of barge send/receive with 4 GiB; rewrites that section of docs/benchmarks.md.
bench-large: release
	$(PYTHON) Benchmarks/large_message_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## One 1 GiB file through a claim check in SeaweedFS, barge send/receive vs boto3 upload_file/download_file, with peak RSS; rewrites that section of docs/benchmarks.md.
bench-claim-check: release
	$(PYTHON) Benchmarks/claim_check_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## A 1 GiB barge send and 1 MB records with and without transactions; rewrites that section of docs/benchmarks.md.
bench-transactions: release
	$(PYTHON) Benchmarks/transactions_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## 1 GB of 20 MB records externalized by barge bridge vs consumed and produced by confluent-kafka, with the bridge's peak RSS; rewrites that section of docs/benchmarks.md.
bench-bridge: release
	$(PYTHON) Benchmarks/bridge_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## 1 MB records over SSL vs PLAINTEXT, a 1 GiB chunked payload over SASL_SSL vs PLAINTEXT, and the broker's RSS with 100 MB records over TLS; rewrites that section of docs/benchmarks.md.
bench-security: release
	$(PYTHON) Benchmarks/security_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## Consuming 2 GB from the remote tier vs local segments, and producing with tiering on vs off, on a file tier and SeaweedFS; rewrites that section of docs/benchmarks.md.
bench-tiered: release
	$(PYTHON) Benchmarks/tiered_storage_bench.py --barge $(BARGE_RELEASE) --output docs/benchmarks.md

## librdkafka 2.0.2's own broker-facing tests against the broker (about 20 minutes, not in `make test`); rewrites docs/compatibility.md, fails if a test that passed there fails now.
compat: build
	bash scripts/compat.sh --check

clean:
	rm -rf .build .barge
