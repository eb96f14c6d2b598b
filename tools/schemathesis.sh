#!/usr/bin/env bash
# Schemathesis (property-based tests generated from /api/v1/openapi.json)
# against `hoso serve` on a demo store, signed in as each role: every check,
# a bounded number of examples per operation, a fixed seed. Exit 1 on any
# failure (a 5xx, an answer the document does not describe, a schema-valid
# request refused outside the rules in tools/schemathesis.toml, a
# schema-violating request accepted, ...).
#
#   tools/schemathesis.sh                 # uses `schemathesis` on PATH
#   SCHEMATHESIS=/path/to/schemathesis SCHEMATHESIS_EXAMPLES=20 tools/schemathesis.sh
#   SCHEMATHESIS_ONLY="st-tt" tools/schemathesis.sh      # one role (plus logout and anonymous)
#
# Needs: cargo (builds target/debug/hoso), python3, schemathesis 4.x
# (.ci/run installs the pinned version), curl.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

ST="${SCHEMATHESIS:-schemathesis}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-10}"
SEED="${SCHEMATHESIS_SEED:-111}"
CONFIG="$PWD/tools/schemathesis.toml"
PASSWORD="mật-khẩu-schemathesis"

command -v "$ST" >/dev/null 2>&1 || { echo "schemathesis not found (set SCHEMATHESIS)" >&2; exit 1; }
say "$("$ST" --version)"

cargo build -q -p hoso --bin hoso
HOSO="$PWD/target/debug/hoso"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A demo store of its own (SQLite), whatever DATABASE_URL the caller has.
export DATABASE_URL="sqlite://$work/demo.db"
export HOSO_SIGNING_KEY="$work/signing.key"
export RUST_LOG="${RUST_LOG:-hoso_api=info,warn}"
"$HOSO" demo --cases 30 --seed 111 >/dev/null
admin="admin-111-0"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
"$HOSO" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "$base/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "$base/health" >/dev/null

# People sign in with their password (sessions); only system accounts get API
# tokens (docs/access.md, "Accounts").
session() {
  curl -sf "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"officer_id\": \"$1\", \"password\": \"$PASSWORD\"}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
create() {
  HOSO_PASSWORD="$PASSWORD" "$HOSO" admin create-officer --id "$1" --name "Kiểm thử $2" \
    --role "$2" --unit "$3" --by "$admin" >/dev/null
}

# A demo commune with cases, for the commune roles. Admins read no case
# (need-to-know), so a provincial manager of province 42 looks it up.
create st-so provincial_manager province:42
commune=$(curl -sf "$base/api/v1/cases?province=42&limit=1" -H "Authorization: Bearer $(session st-so)" \
  | python3 -c 'import json, sys; i = json.load(sys.stdin)["items"][0]; print("%s:%s" % (i["province"], i["commune"]))')
say "officers of every role (commune $commune)"

roles=(
  "st-ctv:collaborator:commune:$commune"
  "st-cb:commune_worker:commune:$commune"
  "st-ct:commune_chairman:commune:$commune"
  "st-111:hotline_operator:national"
  "st-so:provincial_manager:province:42"
  "st-tt:inspector:province:42"
  "st-qt:admin:national"
  "st-sys:system:national"
)
for r in "${roles[@]}"; do
  id=${r%%:*}; rest=${r#*:}; role=${rest%%:*}; unit=${rest#*:}
  [ "$id" = "st-so" ] || create "$id" "$role" "$unit"
done

# Every credential first: the runs fuzz the sign-in, and failed sign-ins
# from this address are throttled (docs/security.md), so a sign-in after a
# run could be made to wait. A session (a fuzzed password change needs the
# current password, which the runs never send, so they cannot lock anyone
# out); the system account has an API token.
declare -A tokens
for r in "${roles[@]}"; do
  id=${r%%:*}
  if [ "$id" = "st-sys" ]; then
    tokens[$id]=$("$HOSO" admin token --officer "$id" --label schemathesis --by "$admin" 2>/dev/null)
  else
    tokens[$id]=$(session "$id")
  fi
done
# Signing out revokes the token it is sent with: a session of its own.
logout_token=$(session st-cb)

failed=0
run() {
  local name=$1; shift
  say "schemathesis: $name"
  # From the scratch folder: schemathesis keeps its cache in the working directory.
  if ! (cd "$work" && "$ST" --config-file "$CONFIG" run "$base/api/v1/openapi.json" \
      --checks all --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
      --no-color --generation-database none "$@" >"$work/$name.txt" 2>&1); then
    failed=1
    cat "$work/$name.txt"
  fi
  grep -E '^ *[0-9]+ generated' "$work/$name.txt" | sed 's/^ */    /' || true
}

for r in "${roles[@]}"; do
  id=${r%%:*}
  # SCHEMATHESIS_ONLY="st-tt st-cb" runs those roles alone (default: every role).
  if [ -n "${SCHEMATHESIS_ONLY:-}" ] && [[ " $SCHEMATHESIS_ONLY " != *" $id "* ]]; then continue; fi
  token=${tokens[$id]}
  extra=()
  # An inspector gives a reason for every read (docs/access.md): the run gives one.
  [ "$id" = "st-tt" ] && extra=(-H "X-Access-Reason: contract test of the API (schemathesis)")
  run "$id" -H "Authorization: Bearer $token" "${extra[@]}" --exclude-path /api/v1/auth/logout
done
run "logout" -H "Authorization: Bearer $logout_token" --include-path /api/v1/auth/logout
# Not signed in at all.
run "anonymous" --include-path /api/v1/auth/login --include-path /api/v1/auth/activate

if grep -Eq 'status=5[0-9][0-9]' "$work/serve.log"; then
  echo "the server answered 5xx:" >&2
  grep -E 'status=5[0-9][0-9]' "$work/serve.log" | head -20 >&2
  failed=1
fi

if [ "$failed" -ne 0 ]; then
  echo "schemathesis: failures (see above)" >&2
  exit 1
fi
say "schemathesis: no failure, no 5xx, as every role"
