#!/usr/bin/env bash
# Runs every Go fuzz target of Atrium (every `func FuzzXxx(f *testing.F)` in a
# _test.go file) for FUZZTIME each (default 30s). FUZZ=regexp limits which
# targets run. `make fuzz` runs the long variant; scripts/test.sh runs each
# briefly in CI. The committed seed corpora (testdata/fuzz/<target>/) also run
# as plain tests in every `go test`. A crash writes the failing input to
# testdata/fuzz/<target>/ — commit it with the fix, as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
FUZZ=${FUZZ:-.}

mapfile -t targets < <(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' \
  --exclude-dir=node_modules --exclude-dir=.git . | sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\(.*#\1 \2#' | sort -u)

if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets"
  exit 0
fi
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  dir=${t% *}
  name=${t#* }
  [[ "$name" =~ $FUZZ ]] || continue
  echo "== fuzz $name ($dir, $FUZZTIME)"
  rc=0
  go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "./$dir" >"$log" 2>&1 || rc=$?
  grep -vE '^fuzz: elapsed|^warning: starting with empty corpus' "$log" || true
  [ "$rc" = 0 ] || { echo "!! $name failed"; fail=1; }
done
exit $fail
