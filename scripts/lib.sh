# shellcheck shell=bash
# Shared helpers for the project's shell scripts. Source it, don't run it:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything here writes its chatter to stderr, so that scripts whose stdout is
# an interface (scripts/terraform.sh --path) stay clean.

# Make `set -e` hold inside $(...) too: a helper that fails there must stop the
# script, not hand an empty string on.
shopt -s inherit_errexit

# Repository root: the parent of this file's directory.
COMWIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
export COMWIT_ROOT

# Provider identity, as the registry and `required_providers` see it.
: "${COMWIT_PROVIDER_HOST:=registry.terraform.io}"
: "${COMWIT_PROVIDER_NAMESPACE:=comwit}"
: "${COMWIT_PROVIDER_TYPE:=comwit}"
COMWIT_PROVIDER_BIN="terraform-provider-${COMWIT_PROVIDER_TYPE}"

log() { printf '%s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# Version of the Cargo package (the `version` key of the [package] table).
cargo_version() {
	local manifest="${1:-$COMWIT_ROOT/Cargo.toml}" version
	version="$(awk '
		/^[[:space:]]*\[/ { in_pkg = ($0 ~ /^[[:space:]]*\[package\][[:space:]]*$/); next }
		in_pkg && /^[[:space:]]*version[[:space:]]*=/ {
			sub(/^[^=]*=[[:space:]]*"/, ""); sub(/".*$/, ""); print; exit
		}' "$manifest")"
	[[ -n "$version" ]] || die "no [package] version in $manifest"
	printf '%s\n' "$version"
}

# Release builds: the host's target triple, given to cargo as --target so that RUSTFLAGS reach
# only the shipped binaries (not build scripts or proc-macros). On Linux with glibc the
# binaries are linked statically and not position-independent, as Go links every other
# provider: they then run on any Linux whatever its glibc, start without a dynamic loader and
# touch fewer pages at start-up (see the README's benchmark notes).
release_target() { rustc -vV | awk '/^host:/ {print $2}'; }
release_rustflags() {
	case "$1" in
	*-linux-gnu) printf '%s\n' "-C target-feature=+crt-static -C relocation-model=static" ;;
	*) printf '\n' ;;
	esac
}
# release_cargo ARGS...: cargo with --release --target <host>, static where possible. Every
# release build links the provider with the same start-up symbol order (see
# release_build_provider): a `cargo test` build links the binaries too, and a different order
# there would relink them.
release_cargo() {
	local target flags order
	target="$(release_target)"
	flags="$(release_rustflags "$target")"
	order="$(release_dir)/symbol-order.txt"
	mkdir -p "$(release_dir)"
	# First release build here: start from the committed list (most names in it are C and
	# std functions that never change), so a machine without valgrind still gets the layout.
	[[ -f "$order" ]] || cp "$COMWIT_ROOT/scripts/symbol-order.seed" "$order" 2>/dev/null || : >"$order"
	(cd "$COMWIT_ROOT" && COMWIT_SYMBOL_ORDER="$order" RUSTFLAGS="${RUSTFLAGS:-} $flags" \
		"${CARGO:-cargo}" "$@" --release --target "$target")
}
# Where release_cargo puts its binaries.
release_dir() { printf '%s/%s/release\n' "${CARGO_TARGET_DIR:-$COMWIT_ROOT/target}" "$(release_target)"; }

# release_build_provider: the release provider binary, with the functions a plugin start runs
# linked side by side (scripts/symbol-order.sh; the order is kept in the release directory and
# the binary relinked only when a start runs a function the order lacks). Without valgrind the
# order is the committed scripts/symbol-order.seed (refresh it with
# `scripts/symbol-order.sh <release binary> /dev/stdout | LC_ALL=C sort -u`).
release_build_provider() {
	local dir order fresh
	dir="$(release_dir)"
	order="$dir/symbol-order.txt"
	release_cargo build --bin "$COMWIT_PROVIDER_BIN"
	fresh="$(mktemp)"
	if bash "$COMWIT_ROOT/scripts/symbol-order.sh" "$dir/$COMWIT_PROVIDER_BIN" "$fresh"; then
		if [[ -n "$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$fresh") <(LC_ALL=C sort -u "$order"))" ]]; then
			LC_ALL=C sort -u "$fresh" "$order" -o "$order"
			log "==> relinking with the start-up functions side by side"
			release_cargo build --bin "$COMWIT_PROVIDER_BIN"
		fi
	fi
	rm -f "$fresh"
}

# Terraform's name for this machine's platform, e.g. linux_amd64.
# Override with TARGET_PLATFORM=os_arch.
tf_platform() {
	if [[ -n "${TARGET_PLATFORM:-}" ]]; then
		printf '%s\n' "$TARGET_PLATFORM"
		return
	fi
	local os arch
	os="$(uname -s | tr '[:upper:]' '[:lower:]')"
	case "$(uname -m)" in
	x86_64 | amd64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	i?86) arch=386 ;;
	armv7* | armv6*) arch=arm ;;
	*) die "unknown machine architecture $(uname -m); set TARGET_PLATFORM" ;;
	esac
	printf '%s_%s\n' "$os" "$arch"
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{print $1}'
	else
		python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
	fi
}

# make_zip OUT.zip FILE...: a zip of FILEs stored under their base names, with
# their modes (the provider binary must stay executable). Uses `zip` when it is
# installed, else python3's zipfile.
make_zip() {
	local out="$1"
	shift
	rm -f "$out"
	if command -v zip >/dev/null 2>&1; then
		zip -q -j -X "$out" "$@"
	else
		python3 - "$out" "$@" <<'PY'
import os, sys, zipfile
out, files = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
    for path in files:
        info = zipfile.ZipInfo.from_file(path, arcname=os.path.basename(path))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as f:
            zf.writestr(info, f.read())
PY
	fi
}

# Registry file names for VERSION.
provider_zip_name() { printf '%s_%s_%s.zip\n' "$COMWIT_PROVIDER_BIN" "$1" "${2:-$(tf_platform)}"; }
provider_exe_name() { printf '%s_v%s\n' "$COMWIT_PROVIDER_BIN" "$1"; }

# package_provider BINARY VERSION OUTDIR: writes OUTDIR/<zip name> holding
# BINARY renamed terraform-provider-comwit_v<VERSION>; prints the zip's path.
# With SOURCE_DATE_EPOCH set, the entry's timestamp is pinned to it.
package_provider() {
	local bin="$1" version="$2" outdir="$3" stage exe zipname
	[[ -f "$bin" ]] || die "provider binary not found: $bin"
	mkdir -p "$outdir"
	stage="$(mktemp -d)"
	exe="$stage/$(provider_exe_name "$version")"
	cp "$bin" "$exe"
	chmod 0755 "$exe"
	if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then
		touch -d "@$SOURCE_DATE_EPOCH" "$exe"
	fi
	zipname="$(provider_zip_name "$version")"
	make_zip "$outdir/$zipname" "$exe" || die "could not write $outdir/$zipname"
	rm -rf "$stage"
	printf '%s\n' "$outdir/$zipname"
}

# lay_out_mirror DIR ZIP BINARY VERSION [packed|unpacked|both]
#
# Writes a provider filesystem mirror that `terraform init` reads through a CLI
# config (TF_CLI_CONFIG_FILE) such as
#
#   provider_installation {
#     filesystem_mirror {
#       path    = "DIR"
#       include = ["registry.terraform.io/comwit/comwit"]
#     }
#     direct { exclude = ["registry.terraform.io/comwit/comwit"] }
#   }
#
# (The same DIR also works as `-plugin-dir=DIR`, as `providers lock
# -fs-mirror=DIR`, or as an implied local mirror such as
# ~/.terraform.d/plugins.) Two layouts exist, and `terraform init` reads both:
#
#   packed:   DIR/registry.terraform.io/comwit/comwit/terraform-provider-comwit_<version>_<os>_<arch>.zip
#             The release zip itself, byte for byte: what is tested is what
#             ships. init unpacks it into .terraform/providers.
#   unpacked: DIR/registry.terraform.io/comwit/comwit/<version>/<os>_<arch>/terraform-provider-comwit_v<version>
#             A plain directory, copied as is (no zip step: quickest for a
#             debug build).
#
# Lock-file hashes (checked with Terraform 1.11.4 and 1.15.5): from either
# layout init records the same single "h1:" hash, which is computed over the
# unpacked contents, so a lock file made from one layout verifies the other.
# "zh:" hashes (SHA-256 of the zip, as listed in SHA256SUMS) are recorded only
# when installing from the registry itself; a filesystem mirror never yields
# them, even from the packed zip.
#
# If DIR holds both layouts of one version, init uses the UNPACKED directory
# (checked with both versions above). "packed" is the default here; "both"
# exists for tests of the layouts themselves.
lay_out_mirror() {
	local dir="$1" zip="$2" bin="$3" version="$4" layout="${5:-packed}" base platform
	platform="$(tf_platform)"
	base="$dir/$COMWIT_PROVIDER_HOST/$COMWIT_PROVIDER_NAMESPACE/$COMWIT_PROVIDER_TYPE"
	mkdir -p "$base"
	case "$layout" in
	packed | both)
		cp "$zip" "$base/$(provider_zip_name "$version" "$platform")"
		log "mirror (packed):   $base/$(provider_zip_name "$version" "$platform")"
		;;
	unpacked) ;;
	*) die "unknown mirror layout: $layout (packed, unpacked or both)" ;;
	esac
	case "$layout" in
	unpacked | both)
		mkdir -p "$base/$version/$platform"
		cp "$bin" "$base/$version/$platform/$(provider_exe_name "$version")"
		chmod 0755 "$base/$version/$platform/$(provider_exe_name "$version")"
		log "mirror (unpacked): $base/$version/$platform/$(provider_exe_name "$version")"
		;;
	esac
}
