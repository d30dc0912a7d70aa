#!/usr/bin/env bash
# Listing benchmark: every user of an emulated org (default 100,000 users, rate limits off)
# with spindle-okta, Okta's official Python SDK and Okta's official Node SDK, in the same
# run against the same emulator process. Reports users/s, CPU seconds and peak RSS of each
# client process and appends them to bench/RESULTS.md.
#
# Needs /usr/bin/time, and the SDKs installed by scripts/install-third-party
# (target/third-party/venv-okta, target/third-party/node); a missing SDK is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-100000}
TP=target/third-party

cargo build -q --release -p spindle-okta --example emulator_server --example list_users
log=$(mktemp)
./target/release/examples/emulator_server "$USERS" off > "$log" 2>&1 &
EMU=$!
trap 'kill $EMU 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 1200); do
  grep -q '^TOKEN=' "$log" && break
  kill -0 $EMU 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
OKTA_CLIENT_ORGURL=$(sed -n 's/^ORG_URL=//p' "$log")
OKTA_CLIENT_TOKEN=$(sed -n 's/^TOKEN=//p' "$log")
export OKTA_CLIENT_ORGURL OKTA_CLIENT_TOKEN

# measure NAME COMMAND...: one table row from the program's JSON line and /usr/bin/time.
measure() {
  local name=$1; shift
  local t; t=$(mktemp)
  local line
  line=$(/usr/bin/time -f '%e %U %S %M' -o "$t" "$@" | tail -1)
  local wall user sys rss
  read -r wall user sys rss < "$t"
  rm -f "$t"
  local n; n=$(echo "$line" | grep -oE '"users": *[0-9]+' | grep -oE '[0-9]+' || echo 0)
  awk -v name="$name" -v n="$n" -v wall="$wall" -v u="$user" -v s="$sys" -v rss="$rss" \
    'BEGIN { printf "| %s | %d | %.1f | %.0f | %.1f | %.0f |\n", name, n, wall, n / wall, u + s, rss / 1024 }'
}

{
  echo
  echo "## List $USERS users from the emulator, rate limits off ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "| client | users | wall s | users/s | CPU s | peak RSS MiB |"
  echo "|---|--:|--:|--:|--:|--:|"
  measure spindle-okta ./target/release/examples/list_users
  if [ -x "$TP/venv-okta/bin/python" ]; then
    # The SDK refuses plain-http org URLs unless this testing switch is set.
    measure "okta (Python SDK)" env OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true "$TP/venv-okta/bin/python" bench/peers/list_users.py
  else
    echo "| okta (Python SDK) | not installed: run scripts/install-third-party | | | | |"
  fi
  if [ -d "$TP/node/node_modules/@okta/okta-sdk-nodejs" ]; then
    measure "@okta/okta-sdk-nodejs" env NODE_PATH="$TP/node/node_modules" node bench/peers/list_users.cjs
  else
    echo "| @okta/okta-sdk-nodejs | not installed: run scripts/install-third-party | | | | |"
  fi
} | tee -a bench/RESULTS.md
