#!/usr/bin/env bash
# Run check.mjs with the lock-pinned @libsql/client, installing it (`npm ci`) when missing.
# Arguments and environment are passed to check.mjs (see there).
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"
if [ ! -f node_modules/@libsql/client/package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
exec node check.mjs "$@"
