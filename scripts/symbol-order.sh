#!/usr/bin/env bash
# scripts/symbol-order.sh BINARY OUT
#
# Writes OUT: the functions BINARY runs from its start until it has printed the plugin
# handshake line, one symbol name per line, as an LLD --symbol-ordering-file. Linked with it
# (COMWIT_SYMBOL_ORDER=OUT, see build.rs), those functions sit side by side, so a plugin start
# faults in a few pages of code instead of pages scattered over the whole binary: the idle
# resident memory the benchmark measures drops by about half.
#
# scripts/symbol-order.seed is such a list, committed: release builds start from it, so a
# machine without valgrind still links most start-up functions together.
#
# Needs valgrind (callgrind) and openssl; exits 3 without writing OUT when either is missing or
# the binary was not linked by LLD (GNU ld has no such option), so callers can carry on.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin="${1:?usage: symbol-order.sh BINARY OUT}"
out="${2:?usage: symbol-order.sh BINARY OUT}"
for tool in valgrind callgrind_control openssl python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		log "symbol order: $tool not found; the provider is linked without one"
		exit 3
	fi
done
if ! readelf -p .comment "$bin" 2>/dev/null | grep -q 'Linker: LLD'; then
	log "symbol order: $bin was not linked by LLD; skipped"
	exit 3
fi

python3 - "$bin" "$out" <<'PY'
import glob, os, re, subprocess, sys, tempfile, time

binary, out = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    key, crt = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
    # A P-521 client certificate, as Terraform sends.
    subprocess.run(["openssl", "ecparam", "-name", "secp521r1", "-genkey", "-noout", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-new", "-x509", "-key", key, "-out", crt, "-days", "1",
                    "-subj", "/CN=localhost"], check=True, capture_output=True)
    env = dict(os.environ,
               TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
               PLUGIN_PROTOCOL_VERSIONS="6", PLUGIN_CLIENT_CERT=open(crt).read())
    env.pop("TF_LOG", None)
    profile = os.path.join(tmp, "callgrind.out")
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--demangle=no", "--dump-instr=no",
         "--compress-strings=no", f"--callgrind-out-file={profile}", binary],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline()
        if not line.startswith(b"1|6|unix|"):
            sys.exit(f"symbol order: no handshake line from {binary}: {line!r}")
        # The provider now idles; dump what ran so far.
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
        dumps = []
        for _ in range(100):
            dumps = [p for p in glob.glob(profile + "*") if os.path.getsize(p) > 0]
            if dumps:
                break
            time.sleep(0.1)
        if not dumps:
            sys.exit("symbol order: callgrind wrote no profile")
        time.sleep(0.2)  # let the dump finish
    finally:
        proc.kill()
        proc.wait()
    names = []
    for path in dumps:
        with open(path, errors="replace") as f:
            for row in f:
                if row.startswith("fn="):
                    name = re.sub(r"^\(\d+\) ", "", row[3:].strip())
                    if name and not name.startswith("0x") and not name.startswith("("):
                        names.append(name)
seen = set()
ordered = [n for n in names if not (n in seen or seen.add(n))]
with open(out, "w") as f:
    f.write("\n".join(ordered) + "\n")
print(f"symbol order: {len(ordered)} start-up functions -> {out}", file=sys.stderr)
PY
