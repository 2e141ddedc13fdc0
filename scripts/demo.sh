#!/usr/bin/env bash
# Starts the embedded broker on a free port with a data directory under
# ./.barge/demo, sends payloads of 1 KB to 20 MB through it with kcat (keys,
# headers, raised size limits), reads them back, checks their SHA-256, and stops.
set -euo pipefail
barge=${1:-.build/release/barge}
root=$(pwd)/.barge/demo
rm -rf "$root"; mkdir -p "$root/payloads" "$root/received"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
limit=67108864
"$barge" broker --listen 127.0.0.1:$port --data-dir "$root/data" \
  --set message.max.bytes=$limit --set socket.request.max.bytes=$((limit * 2)) >"$root/broker.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "broker pid $broker on 127.0.0.1:$port, data in $root/data"

sizes=(1024 262144 1048576 5242880 20971520)
printf '%-10s %12s %10s %s\n' payload bytes offset sha256
for index in "${!sizes[@]}"; do
  file="$root/payloads/payload-$index.bin"
  head -c "${sizes[$index]}" /dev/urandom >"$file"
  kcat -P -b 127.0.0.1:$port -t demo -p 0 -k "payload-$index" -H "sha256=$(sha256sum "$file" | cut -c1-64)" \
    -X message.max.bytes=$limit -X compression.codec=none "$file"
done
start=$(date +%s%N)
kcat -C -b 127.0.0.1:$port -t demo -p 0 -o beginning -c ${#sizes[@]} -e -X fetch.message.max.bytes=$limit \
  -X receive.message.max.bytes=$((limit * 2)) -f '%k %o %h %S\n' -q >"$root/received/index.txt"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
failures=0
while read -r key offset headers size; do
  index=${key#payload-}
  expected=$(sha256sum "$root/payloads/payload-$index.bin" | cut -c1-64)
  [ "${headers#sha256=}" = "$expected" ] && [ "$size" = "${sizes[$index]}" ] && status=ok || { status=MISMATCH; failures=$((failures + 1)); }
  printf '%-10s %12s %10s %s %s\n' "$key" "$size" "$offset" "${expected:0:16}…" "$status"
done <"$root/received/index.txt"
# Verify the bytes themselves: fetch each payload alone and hash it.
for index in "${!sizes[@]}"; do
  got=$(kcat -C -b 127.0.0.1:$port -t demo -p 0 -o "$index" -c 1 -e -q -D '' -f '%s' \
    -X fetch.message.max.bytes=$limit -X receive.message.max.bytes=$((limit * 2)) | sha256sum | cut -c1-64)
  expected=$(sha256sum "$root/payloads/payload-$index.bin" | cut -c1-64)
  [ "$got" = "$expected" ] || { echo "payload-$index: received bytes do not match"; failures=$((failures + 1)); }
done
echo "read back ${#sizes[@]} payloads ($(( (1024 + 262144 + 1048576 + 5242880 + 20971520) / 1024 )) KiB) in ${elapsed_ms} ms; failures: $failures"
[ "$failures" -eq 0 ]
