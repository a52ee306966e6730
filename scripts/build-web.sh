#!/usr/bin/env bash
# Builds the web app (web/) into web/dist, which the binary embeds.
#   scripts/build-web.sh              always build
#   scripts/build-web.sh --if-needed  build only when web/dist/index.html is
#                                     missing or older than a source file
# Installs the npm dependencies (npm ci) when node_modules is missing or
# older than package-lock.json. Exits non-zero with a clear message when
# Node/npm is not installed.
set -euo pipefail
cd "$(dirname "$0")/../web"

if_needed=false
case "${1:-}" in
  --if-needed) if_needed=true ;;
  "") ;;
  *) echo "usage: $0 [--if-needed]" >&2; exit 2 ;;
esac

if $if_needed && [ -f dist/index.html ]; then
  newer=$(find src index.html package.json package-lock.json public vite.config.ts tsconfig.json \
    -newer dist/index.html -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    exit 0
  fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "build-web: Node.js and npm are needed to build the web app (Node 20.19 or newer)." >&2
  echo "build-web: install them (e.g. apt-get install nodejs npm), then run 'make ui'." >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== web: build"
npm run --silent build
