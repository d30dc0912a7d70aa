#!/usr/bin/env bash
# Gateway overhead: the latency (p50/p99) and throughput of an action called through the gateway
# (`spindle serve`, SQLite store) versus the same Okta request sent to the emulator directly, in
# the same run, with the same load generator and concurrency.
#
#   get:  POST /v1/connections/emu/actions/get_retrieve_a_user {"id": ID}
#         vs GET /api/v1/users/ID
#   list: POST /v1/connections/emu/actions/get_list_all_users {"limit": LIST_LIMIT}
#         vs GET /api/v1/users?limit=LIST_LIMIT
# and the gateway's resident memory after start, after the first load and at the end.
#
# Usage: bench/gateway.sh   (env: CONCURRENCY=8 DURATION=10s USERS=1000 LIST_LIMIT=200)
# Needs wrk (Debian package `wrk`; installed with apt-get when missing and running as root) and
# curl. Writes the "Gateway overhead" section of bench/RESULTS.md (replacing an earlier one in
# place).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
CONCURRENCY=${CONCURRENCY:-8}
DURATION=${DURATION:-10s}
USERS=${USERS:-1000}
LIST_LIMIT=${LIST_LIMIT:-200}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
  else
    echo "bench/gateway.sh needs wrk (apt-get install wrk)" >&2
    exit 1
  fi
fi

cargo build -q --release -p spindle
bin="${CARGO_TARGET_DIR:-target}/release/spindle"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The emulator, rate limits off.
"$bin" emulator --addr 127.0.0.1:0 --users "$USERS" --rate-limit off > "$work/emulator.out" 2> "$work/emulator.err" &
pids+=($!)
wait_line "$work/emulator.out" '^org_url=' "${pids[-1]}"
org_url=$(sed -n 's/^org_url=\([^ ]*\) .*/\1/p' "$work/emulator.out")
token=$(sed -n 's/^org_url=[^ ]* token=\(.*\)$/\1/p' "$work/emulator.out")

# The gateway over a SQLite file, with a full key and a connection to the emulator.
export SPINDLE_DATABASE_URL="sqlite://$work/spindle.db"
SPINDLE_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
export SPINDLE_MASTER_KEY
key=$("$bin" keys create bench --scope full 2> /dev/null)
RUST_LOG=warn "$bin" serve --addr 127.0.0.1:0 --allow-private-orgs > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
wait_line "$work/serve.out" '^url=' "${pids[-1]}"
gateway=$(sed -n 's/^url=\(.*\)$/\1/p' "$work/serve.out")
curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"name\": \"emu\", \"org_url\": \"$org_url\", \"auth\": {\"kind\": \"api_token\", \"token\": \"$token\"}}" \
  "$gateway/v1/connections" > /dev/null

user=$(curl -sf -H "Authorization: SSWS $token" -H 'Accept: application/json' "$org_url/api/v1/users?limit=1" \
  | grep -oE '"id":"00u[A-Za-z0-9]+"' | head -1 | cut -d'"' -f4)
[ -n "$user" ] || { echo "no user in the emulated org" >&2; exit 1; }
# A check that both paths answer 200 before measuring.
curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "{\"id\": \"$user\"}" \
  "$gateway/v1/connections/emu/actions/get_retrieve_a_user" | grep -q "\"$user\""

post_script() { # post_script FILE BODY: a wrk script that POSTs BODY as JSON.
  printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n' "$2" > "$1"
}
post_script "$work/get.lua" "{\"id\": \"$user\"}"
post_script "$work/list.lua" "{\"limit\": $LIST_LIMIT}"
serve_pid=${pids[-1]}
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$serve_pid/status"; }
rss_start=$(rss_mib)

# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "1.10s" in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

# load NAME URL WRK-ARGS...: runs wrk (after a 2 s warm-up) and prints "p50 p99 rps".
load() {
  local name=$1 url=$2; shift 2
  wrk -t1 -c"$CONCURRENCY" -d2s "$@" "$url" > /dev/null
  wrk -t1 -c"$CONCURRENCY" -d"$DURATION" --latency "$@" "$url" > "$work/$name.txt"
  if grep -q 'Non-2xx\|Socket errors' "$work/$name.txt"; then
    echo "$name: failed requests:" >&2; cat "$work/$name.txt" >&2; exit 1
  fi
  local p50 p99 rps
  p50=$(awk '$1 == "50%" {print $2}' "$work/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$name.txt")
  rps=$(awk '$1 == "Requests/sec:" {print $2}' "$work/$name.txt")
  echo "$(to_ms "$p50") $(to_ms "$p99") $rps"
}

direct=(-H "Authorization: SSWS $token" -H 'Accept: application/json')
through=(-H "Authorization: Bearer $key")
read -r dg50 dg99 dgr <<< "$(load direct-get "$org_url/api/v1/users/$user" "${direct[@]}")"
read -r gg50 gg99 ggr <<< "$(load gateway-get "$gateway/v1/connections/emu/actions/get_retrieve_a_user" "${through[@]}" -s "$work/get.lua")"
rss_warm=$(rss_mib)
read -r dl50 dl99 dlr <<< "$(load direct-list "$org_url/api/v1/users?limit=$LIST_LIMIT" "${direct[@]}")"
read -r gl50 gl99 glr <<< "$(load gateway-list "$gateway/v1/connections/emu/actions/get_list_all_users" "${through[@]}" -s "$work/list.lua")"
rss_end=$(rss_mib)

row() { # row NAME P50 P99 RPS
  printf '| %s | %.2f | %.2f | %.0f |\n' "$1" "$2" "$3" "$4"
}
ratio() { # ratio NAME GATEWAY-P50 DIRECT-P50 GATEWAY-P99 DIRECT-P99 GATEWAY-RPS DIRECT-RPS
  awk -v n="$1" -v g50="$2" -v d50="$3" -v g99="$4" -v d99="$5" -v gr="$6" -v dr="$7" 'BEGIN {
    printf "| %s | +%.2f ms (%.2fx) | +%.2f ms (%.2fx) | %.2fx |\n", n, g50 - d50, g50 / d50, g99 - d99, g99 / d99, gr / dr }'
}

load_avg=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
section="$(cat <<MD
## Gateway overhead

Measured by \`bench/gateway.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores shared by the emulator, the
gateway and wrk; load average $load_avg at the end). Release builds; \`spindle emulator --users $USERS
--rate-limit off\` and \`spindle serve\` (SQLite store) as separate processes; wrk, one thread,
$CONCURRENCY keep-alive connections, $DURATION per row after a 2 s warm-up, every answer 200. Direct rows
send the Okta request to the emulator; gateway rows send the action to the gateway, which
authenticates the API key, validates the input, sends the same Okta request to the same emulator
and builds the action's output.

| request | p50 ms | p99 ms | requests/s |
|---|--:|--:|--:|
$(row "direct: GET /api/v1/users/{id}" "$dg50" "$dg99" "$dgr")
$(row "gateway: get_retrieve_a_user" "$gg50" "$gg99" "$ggr")
$(row "direct: GET /api/v1/users?limit=$LIST_LIMIT" "$dl50" "$dl99" "$dlr")
$(row "gateway: get_list_all_users {limit: $LIST_LIMIT}" "$gl50" "$gl99" "$glr")

| action | added p50 (ratio) | added p99 (ratio) | throughput gateway / direct |
|---|--:|--:|--:|
$(ratio get_retrieve_a_user "$gg50" "$dg50" "$gg99" "$dg99" "$ggr" "$dgr")
$(ratio "get_list_all_users ($LIST_LIMIT)" "$gl50" "$dl50" "$gl99" "$dl99" "$glr" "$dlr")

The gateway's resident memory: $rss_start MiB after start, $rss_warm MiB after the single-read load,
$rss_end MiB at the end.

On 2 shared cores the three processes compete for CPU: the gateway's rows include the emulator's
work for the same request, so the throughput ratio mostly says how much CPU the gateway adds per
call, and absolute numbers are lower bounds. Compare ratios from one run, not numbers across runs.
MD
)"
echo "$section"
printf '%s\n' "$section" > "$work/section.md"
write_section "Gateway overhead" "$work/section.md"
