#!/usr/bin/env bash
# Static checks: go mod tidy, go vet, the architecture tests and staticcheck
# (pinned in tools/go.mod, built into bin/ once per version). Fails on any
# finding. Used by scripts/test.sh and `make lint`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin

echo "== go mod tidy"
if ! go mod tidy -diff; then
  echo "go.mod/go.sum are not tidy: run 'go mod tidy'" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

# The architecture rules (layers, domain → domain imports, SQL and HTTP in
# their files) are tests; lint runs them too so a broken boundary fails it.
echo "== architecture (internal/archtest)"
go test -count=1 ./internal/archtest/

# Rebuild staticcheck only when tools/go.mod changed since the last build.
stamp=bin/.staticcheck.mod
if [ ! -x bin/staticcheck ] || ! cmp -s tools/go.mod "$stamp" 2>/dev/null; then
  echo "== building staticcheck from tools/go.mod"
  (cd tools && go build -o ../bin/staticcheck honnef.co/go/tools/cmd/staticcheck)
  cp tools/go.mod "$stamp"
fi
echo "== staticcheck"
bin/staticcheck ./...
