#!/usr/bin/env bash
# `make compat`: librdkafka's own test suite against the embedded broker.
# Gets Debian's librdkafka source (adding a deb-src entry for itself), builds
# the library and its test runner once under .build/compat, then hands over
# to scripts/compat.py, which runs every broker-facing test in its own process
# with a time bound and rewrites docs/compatibility.md.
# Not part of `make test`: it takes about 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
work=".build/compat"
version="2.0.2"
source_dir="$work/librdkafka-$version"
mkdir -p "$work"

if [ ! -x "$source_dir/tests/test-runner" ]; then
  list=/etc/apt/sources.list.d/barge-deb-src.sources
  if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/ /etc/apt/sources.list; then
    echo "compat: adding $list (Debian bookworm source packages)"
    cat > "$list" <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    apt-get update -qq
  fi
  (cd "$work" && apt-get source --download-only "librdkafka=$version-1" >/dev/null 2>&1 || (cd "$work" && apt-get source --download-only librdkafka))
  tarball="$work/librdkafka_$version.orig.tar.gz"
  [ -f "$tarball" ] || { echo "compat: $tarball not downloaded (Debian's librdkafka source is $(ls "$work"/librdkafka_*.orig.tar.gz 2>/dev/null))" >&2; exit 1; }
  rm -rf "$source_dir"
  tar -xzf "$tarball" -C "$work"
  echo "compat: building librdkafka $version and its test runner (a few minutes)"
  (cd "$source_dir" && ./configure --no-download --disable-gssapi --disable-curl --disable-ssl >"../configure.log" 2>&1 \
     && make -j"$(nproc)" libs >"../make-libs.log" 2>&1 \
     && make -C tests -j"$(nproc)" build >"../make-tests.log" 2>&1) \
    || { echo "compat: build failed, see $work/*.log" >&2; exit 1; }
fi

exec "${PYTHON:-python3}" scripts/compat.py --runner "$source_dir/tests/test-runner" "$@"
