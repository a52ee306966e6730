#!/usr/bin/env bash
# The README's run command: builds the web app when it is missing or older
# than its sources (and Node is present), builds the binary, and serves on
# embedded SQLite in ./data. Extra arguments go to `atrium serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/build-web.sh ]; then
  scripts/build-web.sh --if-needed || echo "warning: the web app could not be built; the API still works" >&2
fi
mkdir -p bin
go build -o bin/atrium ./cmd/atrium
exec bin/atrium serve "$@"
