#!/bin/sh
# Starts a throwaway PostgreSQL cluster with the default durability settings
# (fsync, synchronous_commit, full_page_writes on — unlike the test cluster of
# `go run ./cmd/pgtest`, which turns them off for speed) for benchmarks of
# durable sends, prints its URL, and stops it when you press Enter.
#
#   sh bench/pg-durable.sh            # then, in another shell:
#   go run ./bench/load --database-url postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable
set -eu
BIN=${ATRIUM_PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${PORT:-55432}
DIR=$(mktemp -d /tmp/atrium-pgbench.XXXXXX)
chown postgres "$DIR"
runuser -u postgres -- "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
echo "postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
trap 'runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null; rm -rf "$DIR"' EXIT INT TERM
read -r _ || true
