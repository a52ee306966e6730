#!/usr/bin/env bash
# Runs every test of Atrium: Go tests on SQLite and PostgreSQL (one throwaway
# PostgreSQL cluster shared by all packages), then the web app's unit tests and
# the end-to-end browser tests when their toolchain is present (in CI it is
# installed first). Used by `make test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=${ATRIUM_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ] && [ "${CI:-}" = "true" ] && [ "$(id -u)" = 0 ]; then
  echo "== installing PostgreSQL server (CI)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if [ "${CI:-}" = "true" ]; then
  export ATRIUM_REQUIRE_POSTGRES=1
fi
# The CalDAV interop test (internal/calendar) drives the server with Debian's
# python3-caldav: installed when missing and running as root; without it the
# test fails in CI and is skipped elsewhere.
if ! /usr/bin/python3 -c 'import caldav' >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing python3-caldav (apt-get install python3-caldav)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-caldav >/dev/null || true
fi
# The WebDAV interop tests (internal/drive/dav) run Debian's litmus suite and
# rclone against /dav/: installed the same way when missing. The drive's PDF
# thumbnails use poppler-utils' pdftoppm (its test fails in CI without it).
missing=""
command -v litmus >/dev/null 2>&1 || missing="$missing litmus"
command -v rclone >/dev/null 2>&1 || missing="$missing rclone"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing$missing (apt-get install$missing)"
  # shellcheck disable=SC2086
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || true
fi

mkdir -p bin
go build -o bin/pgtest ./cmd/pgtest
pgurl=""
if [ -z "${ATRIUM_TEST_POSTGRES:-}" ]; then
  # pgtest runs until its standard input closes; keep its PID to end it (and
  # only it) when the tests are done.
  coproc PGTEST { exec bin/pgtest 2>&1; }
  exec 3<&"${PGTEST[0]}" 4>&"${PGTEST[1]}"
  pgtest_pid=$PGTEST_PID
  if read -r -t 120 pgurl <&3 && [[ "$pgurl" == postgres://* ]]; then
    export ATRIUM_TEST_POSTGRES=$pgurl
    echo "== PostgreSQL test cluster at $pgurl"
  else
    echo "== no PostgreSQL test cluster: $pgurl"
    [ "${ATRIUM_REQUIRE_POSTGRES:-}" = 1 ] && exit 1
  fi
fi
cleanup() {
  if [ -n "${pgtest_pid:-}" ]; then
    # Closing its standard input lets pgtest stop the cluster and remove it;
    # a signal is the fallback should it hang.
    exec 4>&- || true
    for _ in $(seq 300); do kill -0 "$pgtest_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pgtest_pid" 2>/dev/null || true
    wait "$pgtest_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

scripts/lint.sh
echo "== go test"
go test -count=1 -timeout 20m ${GOTEST_FLAGS:-} ./...
echo "== fuzz (brief)"
FUZZTIME=${CI_FUZZTIME:-5s} scripts/fuzz.sh

if [ -x scripts/test-web.sh ]; then
  scripts/test-web.sh
fi
