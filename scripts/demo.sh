#!/usr/bin/env bash
# `make demo`: build, start comwit-local on a free port with a fresh data dir, install the
# provider from a filesystem mirror, and `terraform init` + `apply` examples/quickstart.
# Everything lives under .demo/ (removed and recreated on each run).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
demo="$root/.demo"

say() { printf '\n==> %s\n' "$*"; }

# A previous demo's comwit-local would hold the data dir: stop it first.
if [[ -f "$demo/comwit-local.pid" ]]; then
	kill "$(cat "$demo/comwit-local.pid")" 2>/dev/null || true
fi
rm -rf "$demo"
mkdir -p "$demo"

say "building the provider and comwit-local"
cargo build --bins
# The one cargo target dir the Makefile promises: CARGO_TARGET_DIR if set, else target/.
bin="${CARGO_TARGET_DIR:-$root/target}/debug"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac

say "resolving Terraform"
terraform="${TF_ACC_TERRAFORM_PATH:-$(bash scripts/terraform.sh --path)}"
TF_CLI_CONFIG_FILE=/dev/null "$terraform" version | head -n 1

say "laying out a filesystem mirror of the provider"
bash scripts/release.sh --binary "$bin/terraform-provider-comwit" \
	--dist "$demo/dist" --mirror "$demo/mirror" --layout packed >/dev/null
cat >"$demo/terraform.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$demo/mirror"
    include = ["registry.terraform.io/comwit/comwit"]
  }
  direct {
    exclude = ["registry.terraform.io/comwit/comwit"]
  }
}
EOF

say "starting comwit-local (data in .demo/comwit-local)"
nohup "$bin/comwit-local" --data "$demo/comwit-local" serve --listen 127.0.0.1:0 --db-listen 127.0.0.1:0 --apps-listen 127.0.0.1:0 --dns-listen 127.0.0.1:0 --storage-listen 127.0.0.1:0 \
	>"$demo/comwit-local.log" 2>&1 &
echo $! >"$demo/comwit-local.pid"
for _ in $(seq 1 100); do
	[[ -s "$demo/comwit-local/address" && -s "$demo/comwit-local/dev-token" ]] && break
	sleep 0.1
done
if [[ ! -s "$demo/comwit-local/address" ]]; then
	echo "comwit-local did not start; its log:" >&2
	cat "$demo/comwit-local.log" >&2
	exit 1
fi
address="$(tr -d '[:space:]' <"$demo/comwit-local/address")"
echo "comwit-local is listening on http://$address"

# Projects are made in the Comwit console (the public API only lists them): comwit-local's
# admin command stands in for it.
say "a project, made as the console does (comwit-local project create demo)"
project_id="$("$bin/comwit-local" --data "$demo/comwit-local" project create demo)"
echo "project $project_id"

cat >"$demo/env.sh" <<EOF
# Source this file to keep using the demo: . .demo/env.sh
export TF_CLI_CONFIG_FILE="$demo/terraform.rc"
export COMWIT_API_URL="http://$address"
export COMWIT_TOKEN="\$(cat "$demo/comwit-local/dev-token")"
export TF_VAR_project_id="$project_id"
export CHECKPOINT_DISABLE=1
EOF
# shellcheck source=/dev/null
. "$demo/env.sh"

cp -r examples/quickstart "$demo/quickstart"
cd "$demo/quickstart"
rm -rf .terraform .terraform.lock.hcl terraform.tfstate*

say "terraform init (from the filesystem mirror)"
"$terraform" init -input=false -no-color

say "terraform apply"
"$terraform" apply -auto-approve -input=false -no-color

# What the apply made answers real clients: the database over libSQL, the app through its
# hostname, and the hostname's record over DNS.
listeners="$demo/comwit-local/listeners.json"
out() { "$terraform" output -raw "$1"; }
database_url="$(out database_url)"
apps="$(jq -r .apps "$listeners")"
dns="$(jq -r .dns "$listeners")"
www="$(out www_url)"
www="${www#https://}"

say "a SQL query against database_url, with the database's token (the sensitive output database_token)"
db_token="$(out database_token)"
echo "curl -X POST $database_url/v2/pipeline"
curl -fsS -X POST "$database_url/v2/pipeline" -H "Authorization: Bearer $db_token" \
	-H 'Content-Type: application/json' -d '{"requests": [
	  {"type": "execute", "stmt": {"sql": "CREATE TABLE IF NOT EXISTS visits (at TEXT)"}},
	  {"type": "execute", "stmt": {"sql": "INSERT INTO visits VALUES (datetime())"}},
	  {"type": "execute", "stmt": {"sql": "SELECT count(*) AS visits, sqlite_version() AS sqlite FROM visits"}},
	  {"type": "close"}]}' |
	jq -c '.results[2].response.result | {cols: [.cols[].name], rows: [.rows[] | map(.value)]}'

say "the app through its hostname ($www) on the apps listener"
echo "curl -H 'Host: $www' $apps/"
curl -fsS -D - -o "$demo/www.html" -H "Host: $www" "$apps/" | grep -i '^x-comwit-build'
head -c 300 "$demo/www.html"
echo

say "$www resolved at the DNS listener ($dns), by Node.js's resolver"
node -e '
const { Resolver } = require("node:dns").promises;
const [server, name] = process.argv.slice(1);
const r = new Resolver();
r.setServers([server]);
r.resolveCname(name)
  .then((c) => console.log(name, "CNAME", c.join(", ")))
  .catch(() => r.resolve4(name).then((a) => console.log(name, "A", a.join(", "))))
  .catch((e) => { console.error(name, e.code); process.exit(1); });
' "$dns" "$www"

cat <<EOF

The demo is running. To continue:
  . .demo/env.sh                                  # provider mirror, API URL, token, project
  $terraform -chdir=.demo/quickstart plan      # an empty plan: nothing changed
  $terraform -chdir=.demo/quickstart destroy   # remove everything it created
comwit-local's listeners (API, databases, apps, DNS) are in .demo/comwit-local/listeners.json.
Stop comwit-local when you are done:
  kill \$(cat .demo/comwit-local.pid)
EOF
