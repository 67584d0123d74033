#!/usr/bin/env bash
# `make bench`: builds release binaries and runs scripts/bench.py (medians, side by side).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

echo "== building release binaries (provider and the test-only provider), as shipped: $(release_target)"
test_provider=$(release_cargo test --test acc_testprovider --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "acc_testprovider" and m.get("executable"):
        print(m["executable"])')
if [ -z "$test_provider" ]; then
  echo "could not find the acc_testprovider test binary" >&2
  exit 1
fi
# Last: a `cargo test` build links the binaries too (with the dev-dependencies' features), so the
# provider measured here is the one `cargo build` makes, as `make release` ships it.
release_cargo build --bin comwit-local
release_build_provider
terraform="${TF_ACC_TERRAFORM_PATH:-$(bash scripts/terraform.sh --path)}"
echo "== terraform: $terraform"
python3 scripts/bench.py --provider "$(release_dir)/terraform-provider-comwit" \
  --test-provider "$test_provider" --terraform "$terraform" \
  --local "$(release_dir)/comwit-local" \
  --instances "${BENCH_INSTANCES:-500}" --runs "${BENCH_RUNS:-9}" "$@"
