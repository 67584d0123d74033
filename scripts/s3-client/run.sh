#!/usr/bin/env bash
# Run check.py with the hash-pinned boto3 of requirements.txt, installing it into
# scripts/s3-client/.venv when missing. Arguments and environment go to check.py.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$DIR/.venv/bin/python"
if ! "$PY" -c "import boto3" 2>/dev/null; then
  python3 -m venv "$DIR/.venv" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check --require-hashes \
    --only-binary :all: -r "$DIR/requirements.txt" >&2
fi
exec "$PY" "$DIR/check.py" "$@"
