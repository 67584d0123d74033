#!/usr/bin/env bash
# Fails when docs/ differs from what the schemas and examples render (run `make docs`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --bin terraform-provider-comwit -- docs --check
