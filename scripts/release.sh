#!/usr/bin/env bash
# Build the provider and package it as a Terraform registry release, or lay it
# out as a filesystem mirror that `terraform init` installs from.
#
#   scripts/release.sh
#       cargo build --release --target <host> --bin terraform-provider-comwit
#       (statically linked on Linux, start-up code side by side: release_build_provider in
#       scripts/lib.sh), then writes to
#       dist/ (VERSION from Cargo.toml, PLATFORM e.g. linux_amd64):
#         terraform-provider-comwit_VERSION_PLATFORM.zip
#             holding the binary as terraform-provider-comwit_vVERSION
#         terraform-provider-comwit_VERSION_manifest.json
#             a copy of terraform-registry-manifest.json (protocol 6.0)
#         terraform-provider-comwit_VERSION_SHA256SUMS
#             sha256 of the zip and the manifest, `sha256sum` format
#         terraform-provider-comwit_VERSION_SHA256SUMS.sig
#             only with GPG_FINGERPRINT set: a detached binary signature
#
#   scripts/release.sh --mirror DIR [--layout packed|unpacked|both]
#       writes a filesystem mirror of this version into DIR (see lay_out_mirror
#       in scripts/lib.sh for both layouts and which one init uses); default
#       layout: packed. Also fills dist/ as above.
#
# Options:
#   --binary PATH   package PATH instead of building (e.g. a debug build:
#                   --binary target/debug/terraform-provider-comwit)
#   --dist DIR      output directory instead of dist/
#   --mirror DIR, --layout L   as above
#
# Environment: CARGO (default cargo), CARGO_TARGET_DIR, TARGET_PLATFORM
# (override os_arch), SOURCE_DATE_EPOCH (pins the zip entry's timestamp),
# GPG_FINGERPRINT (sign the SHA256SUMS).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

binary="" dist="$COMWIT_ROOT/dist" mirror="" layout=packed
while [[ $# -gt 0 ]]; do
	case "$1" in
	--binary) binary="${2:?--binary needs a path}"; shift 2 ;;
	--dist) dist="${2:?--dist needs a directory}"; shift 2 ;;
	--mirror) mirror="${2:?--mirror needs a directory}"; shift 2 ;;
	--layout) layout="${2:?--layout needs packed, unpacked or both}"; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

version="$(cargo_version "$COMWIT_ROOT/Cargo.toml")"
platform="$(tf_platform)"
prefix="${COMWIT_PROVIDER_BIN}_${version}"

if [[ -z "$binary" ]]; then
	log "==> cargo build --release --target $(release_target) --bin $COMWIT_PROVIDER_BIN"
	release_build_provider
	binary="$(release_dir)/$COMWIT_PROVIDER_BIN"
fi
[[ -f "$binary" && -x "$binary" ]] || die "not an executable file: $binary"

manifest_src="$COMWIT_ROOT/terraform-registry-manifest.json"
[[ -f "$manifest_src" ]] || die "missing $manifest_src"

mkdir -p "$dist"
rm -f "$dist/${prefix}"_*
zip="$(package_provider "$binary" "$version" "$dist")"
cp "$manifest_src" "$dist/${prefix}_manifest.json"
(
	cd "$dist"
	for f in "$(basename "$zip")" "${prefix}_manifest.json"; do
		printf '%s  %s\n' "$(sha256_of "$f")" "$f"
	done >"${prefix}_SHA256SUMS"
)
if [[ -n "${GPG_FINGERPRINT:-}" ]]; then
	gpg --batch --yes --local-user "$GPG_FINGERPRINT" \
		--output "$dist/${prefix}_SHA256SUMS.sig" --detach-sign "$dist/${prefix}_SHA256SUMS"
fi

log "==> $dist ($platform, version $version)"
for f in "$dist/${prefix}"_*; do
	log "    $(basename "$f")"
done

if [[ -n "$mirror" ]]; then
	lay_out_mirror "$mirror" "$zip" "$binary" "$version" "$layout"
fi
