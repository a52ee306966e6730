#!/bin/bash
# Heap allocations per REST send, from the server's own allocation profile.
# Runs the load tool against BINARY (no one online, closed loop), takes the
# server's allocation profile twice, 6 s apart, in the middle of the run,
# and divides what was allocated in between by the sends of those seconds.
#
#   go build -o /tmp/atrium ./cmd/atrium && go build -o /tmp/loadtool ./bench/load
#   bench/send-allocs.sh /tmp/atrium [--database-url URL]
#
# Needs curl and the Go toolchain (go tool pprof). Port 6061 must be free.
set -eu
BIN=$1; shift
LOAD=${LOAD:-/tmp/loadtool}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
ATRIUM_DEBUG_ADDR=127.0.0.1:6061 "$LOAD" --binary "$BIN" --members 1010 --convs 1 --conv-size 1010 --sockets 0 \
  --senders 10 --in-flight 16 --duration 14s "$@" > "$OUT/run.txt" 2>&1 &
LOADPID=$!
for _ in $(seq 300); do
  sleep 0.2
  curl -s -o /dev/null http://127.0.0.1:6061/debug/pprof/ && break
done
sleep 4
curl -s -o "$OUT/a0.pb.gz" http://127.0.0.1:6061/debug/pprof/allocs
t0=$(date +%s.%N)
sleep 6
curl -s -o "$OUT/a1.pb.gz" http://127.0.0.1:6061/debug/pprof/allocs
t1=$(date +%s.%N)
wait "$LOADPID"
total() { go tool pprof -sample_index="$1" -base "$OUT/a0.pb.gz" -raw "$BIN" "$OUT/a1.pb.gz" 2>/dev/null |
  awk -v col="$2" '/^Samples:/{on=1; next} /^Locations/{on=0} on && $1 ~ /^-?[0-9]+$/ {s += $col} END {print s+0}'; }
objs=$(total alloc_objects 1)
bytes=$(total alloc_space 2)
rate=$(tail -1 "$OUT/run.txt" | sed 's/.*"sends_per_sec":\([0-9.]*\).*/\1/')
grep "server CPU" "$OUT/run.txt"
awk -v o="$objs" -v b="$bytes" -v r="$rate" -v t0="$t0" -v t1="$t1" 'BEGIN {
  n = r * (t1 - t0); printf "allocations per send: %.0f objects, %.1f KiB (%.0f sends/s over %.1f s)\n", o / n, b / n / 1024, r, t1 - t0 }'
