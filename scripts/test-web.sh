#!/usr/bin/env bash
# The web app's tests: Vitest unit tests, then end-to-end tests in headless
# Chromium (Debian's package, driven by Playwright) against the real binary
# on a fresh data directory. Called at the end of scripts/test.sh.
#
# Chromium missing: installed with apt-get when running as root (always in
# CI, CI=true), as CI does. Node/npm or Chromium still missing: the script
# FAILS, unless ATRIUM_SKIP_WEB=1 asks to skip the web tests explicitly; a
# skip then ends with a loud "web: SKIPPED …" line, never a quiet pass.
# ATRIUM_SCREENSHOTS=docs (`make screenshots`) writes the e2e screenshots to
# docs/screenshots; otherwise they go to e2e/test-results/screenshots.
# ATRIUM_E2E_SPECS="01- 10-" runs only the specs whose file names match
# (01- sets up the organization the others use).
# The last line is a summary: "web: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
CHROMIUM=${ATRIUM_TEST_CHROMIUM:-/usr/bin/chromium}
# The server refuses ATRIUM_ variables it does not know: keep the spec
# filter and where screenshots go for Playwright only.
specs=${ATRIUM_E2E_SPECS:-}
shots=${ATRIUM_SCREENSHOTS:-}
unset ATRIUM_E2E_SPECS ATRIUM_SCREENSHOTS
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# missing <what>: fail (CI, or no explicit skip), or skip loudly.
missing() {
  if [ "${ATRIUM_SKIP_WEB:-}" = 1 ] && [ "${CI:-}" != "true" ]; then
    echo "test-web: $1" >&2
    echo "web: SKIPPED — the web unit and browser tests did NOT run (ATRIUM_SKIP_WEB=1): $1"
    exit 0
  fi
  echo "test-web: $1" >&2
  if [ "${CI:-}" = "true" ]; then
    echo "web: FAILED — $1 (CI never skips the web tests)"
  else
    echo "web: FAILED — $1; install it, or set ATRIUM_SKIP_WEB=1 to skip the web tests on purpose"
  fi
  exit 1
}

if [ ! -x "$CHROMIUM" ] && [ "$CHROMIUM" = /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Chromium (apt-get install chromium)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The docs' screenshots show Chinese text and emoji: without these fonts
# Chromium draws them as empty boxes.
if [ "$shots" = docs ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
  && ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then
  echo "== installing fonts for the screenshots (apt-get install fonts-noto-cjk fonts-noto-color-emoji)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji >/dev/null
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing "Node.js 20.19+ and npm are needed and were not found"
fi
if [ ! -x "$CHROMIUM" ]; then
  missing "Chromium is needed at $CHROMIUM (apt-get install chromium, or set ATRIUM_TEST_CHROMIUM)"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ -n "${ATRIUM_TEST_KEEP_E2E:-}" ]; then echo "== kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# npm ci when node_modules is missing or older than the lock file (always in CI).
install() {
  local dir=$1
  if [ "${CI:-}" = "true" ] || [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "== $dir: npm ci"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  fi
}

count() { # count <json report> <expr over the parsed report> → number
  node -e '
    const fs = require("fs");
    let r = {}; try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
    const f = new Function("r", "return " + process.argv[2]);
    let n = 0; try { n = f(r) || 0; } catch {}
    console.log(n);' "$1" "$2"
}

unit_pass=0 unit_fail=0 e2e_pass=0 e2e_fail=0 e2e_skip=0 broken=""

install web && install e2e || broken="npm ci"

if [ -z "$broken" ]; then
  echo "== web: biome (lint, format) and tsc"
  (cd web && npx biome check --reporter=summary . && npx tsc -p . \
    && cd ../e2e && ../web/node_modules/.bin/biome check --reporter=summary . && npx tsc -p .) || broken="lint"
fi

if [ -z "$broken" ]; then
  echo "== web: vitest"
  (cd web && npx vitest run --reporter=default --reporter=json --outputFile.json="$work/vitest.json")
  unit_pass=$(count "$work/vitest.json" "r.numPassedTests")
  unit_fail=$(count "$work/vitest.json" "r.numFailedTests + (r.numTotalTests ? 0 : 1)")
fi

if [ -z "$broken" ]; then
  scripts/build-web.sh || broken="web build"
fi
if [ -z "$broken" ]; then
  echo "== e2e: build bin/atrium"
  mkdir -p bin && go build -o bin/atrium ./cmd/atrium || broken="go build"
fi

if [ -z "$broken" ]; then
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  data="$work/data"
  log="$work/server.log"
  # The browser tests' push service (e2e/lib/push.ts) listens on a loopback
  # port with a test certificate; --push-test-endpoint/--push-test-ca let
  # the server's push sender reach it (test-only options, never in production).
  push_port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  push_cert="$root/e2e/lib/push-service/cert.pem"
  bin/atrium serve --addr "127.0.0.1:$port" --data-dir "$data" \
    --push-test-endpoint "127.0.0.1:$push_port" --push-test-ca "$push_cert" 2>"$log" >&2 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    grep -q "Atrium is running at" "$log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "Atrium is running at" "$log"; then
    echo "test-web: the server did not start:" >&2
    cat "$log" >&2
    broken="server start"
  fi
fi

if [ -z "$broken" ]; then
  setup=""
  for _ in $(seq 1 30); do
    setup=$(grep -o 'https\?://[^ ]*/setup?token=[A-Za-z0-9_-]*' "$log" | head -1)
    [ -n "$setup" ] && break
    sleep 0.1
  done
  [ -z "$setup" ] && echo "== e2e: the server printed no setup link"
  echo "== e2e: server at $url (log $log)"
  (cd e2e && ATRIUM_E2E_URL="$url" ATRIUM_E2E_SETUP_URL="$setup" ATRIUM_E2E_LOG="$log" \
    ATRIUM_E2E_PUSH_PORT="$push_port" ATRIUM_SCREENSHOTS="$shots" \
    ATRIUM_E2E_REPORT="$work/e2e.json" ATRIUM_CHROMIUM="$CHROMIUM" npx playwright test $specs)
  e2e_pass=$(count "$work/e2e.json" "r.stats.expected")
  e2e_fail=$(count "$work/e2e.json" "r.stats.unexpected + r.stats.flaky + (r.stats ? 0 : 1)")
  e2e_skip=$(count "$work/e2e.json" "r.stats.skipped")
  if [ "$e2e_fail" != 0 ]; then
    echo "== e2e: server log (last 60 lines)"
    tail -n 60 "$log"
  fi
fi

failed=$((unit_fail + e2e_fail))
if [ -n "$broken" ]; then
  echo "test-web: $broken failed" >&2
  failed=$((failed + 1))
fi
echo "== web: vitest $unit_pass passed, $unit_fail failed; e2e $e2e_pass passed, $e2e_fail failed, $e2e_skip skipped"
echo "web: $((unit_pass + e2e_pass)) passed, $failed failed, $e2e_skip skipped"
[ "$failed" = 0 ]
