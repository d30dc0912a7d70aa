#!/usr/bin/env bash
# Listing benchmark: all users of a 100,000-user emulated org, rate limits off, with
# spindle-okta, Okta's official Python SDK and Okta's official Node SDK in the same run.
# Reports users/s, CPU seconds and peak RSS of each, and appends them to bench/RESULTS.md.
#
# Needs: the emulator (`spindle emulator`), and the SDKs installed by
# scripts/install-third-party into target/third-party/{python,node}.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-100000}
PORT=${PORT:-18080}
TP=target/third-party

if ! cargo run -q --release -p spindle -- emulator --help >/dev/null 2>&1; then
  echo "SKIPPED: the Okta emulator (spindle emulator) is not available in this build." >&2
  exit 0
fi
cargo build -q --release -p spindle -p spindle-okta --example list_users
./target/release/spindle emulator --users "$USERS" --rate-limit off --port "$PORT" > target/bench-emulator.log 2>&1 &
EMU=$!
trap 'kill $EMU 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  grep -qiE 'token' target/bench-emulator.log && break
  sleep 0.5
done
TOKEN=$(grep -oiE 'token[^A-Za-z0-9]+[A-Za-z0-9._-]+' target/bench-emulator.log | head -1 | grep -oE '[A-Za-z0-9._-]+$')
export OKTA_CLIENT_ORGURL="http://127.0.0.1:$PORT" OKTA_CLIENT_TOKEN="$TOKEN"

measure() { # name, command...: prints the JSON line the program emits, plus /usr/bin/time data
  local name=$1; shift
  local t; t=$(mktemp)
  local line
  line=$(/usr/bin/time -f '%e %U %S %M' -o "$t" "$@" | tail -1)
  read -r wall user sys rss < "$t"
  rm -f "$t"
  local n; n=$(echo "$line" | grep -oE '"users":[0-9]+' | grep -oE '[0-9]+' || echo 0)
  awk -v name="$name" -v n="$n" -v wall="$wall" -v u="$user" -v s="$sys" -v rss="$rss" \
    'BEGIN { printf "| %s | %d | %.1f | %.0f | %.1f | %.0f |\n", name, n, wall, n / wall, u + s, rss / 1024 }'
}

{
  echo
  echo "## List $USERS users, rate limits off ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "| client | users | wall s | users/s | CPU s | peak RSS MiB |"
  echo "|---|--:|--:|--:|--:|--:|"
  measure spindle-okta ./target/release/examples/list_users
  if [ -d "$TP/python" ]; then
    measure "okta (Python SDK)" env PYTHONPATH="$TP/python" python3 bench/peers/list_users.py
  else
    echo "| okta (Python SDK) | not installed: run scripts/install-third-party | | | | |"
  fi
  if [ -d "$TP/node/node_modules/@okta/okta-sdk-nodejs" ]; then
    measure "@okta/okta-sdk-nodejs" env NODE_PATH="$TP/node/node_modules" node bench/peers/list_users.mjs
  else
    echo "| @okta/okta-sdk-nodejs | not installed: run scripts/install-third-party | | | | |"
  fi
} | tee -a bench/RESULTS.md
