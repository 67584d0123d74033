#!/usr/bin/env bash
# Fails when docs/ differs from what the schemas and examples render (run `make docs`), or when
# docs/api/openapi.json is not what docs/api/openapi.yaml generates (run
# `python3 scripts/openapi-json.py`).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/openapi-json.py --check
cargo run --quiet --bin terraform-provider-comwit -- docs --check
