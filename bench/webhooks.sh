#!/usr/bin/env bash
# Webhook delivery: what a user runs — `spindle serve` processes (their sync workers and webhook
# senders) syncing a connection to `spindle emulator` (Okta's default rate limits) and delivering
# every change to a local receiver (bench/webhook-receiver.cjs, Node's http module, answering 204
# at once), on three set-ups: one process on SQLite, one on PostgreSQL, three on one PostgreSQL.
#
# For each set-up, fresh org, store and receiver:
#   1. First sync of USERS users and GROUPS groups (their memberships too): every change becomes a
#      delivery; waited for until the receiver has them all.
#   2. Throughput: `POST /v1/webhooks/{id}/replay {"connection", "from_seq": 0}` queues every
#      delivery again at once; deliveries per second from the replay to the last arrival, and the
#      serve processes' CPU per delivery.
#   3. Latency: sync every 5 s (`interval: "5s"`), RATE changes per second in the emulator
#      (`POST /__emulator/churn`, one change at a time) for DURATION seconds; for each delivery of
#      those changes, arrival at the receiver − the change's time in Okta (`data.okta_at`, the
#      System Log event's `published`): p50, p90, p99, max.
#
# Usage: bench/webhooks.sh   (env: USERS=5000 GROUPS=50 RATE=2 DURATION=60
#                             SPINDLE_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test)
# Needs curl, jq, node and psql (PostgreSQL reachable at that URL; the script creates and drops
# its own databases there). Writes the "Webhooks" section of bench/RESULTS.md (in place).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
USERS=${USERS:-5000}
# GROUPS is a bash built-in array: see bench/sync.sh. `env GROUPS=N` or ORG_GROUPS=N.
ORG_GROUPS=${ORG_GROUPS:-$(printenv GROUPS || echo 50)}
RATE=${RATE:-2}
DURATION=${DURATION:-60}
PG_URL=${SPINDLE_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}

for tool in curl jq node psql; do
  command -v "$tool" >/dev/null || { echo "bench/webhooks.sh needs $tool" >&2; exit 1; }
done
psql "$PG_URL" -qAtc 'select 1' > /dev/null || { echo "PostgreSQL is not reachable at $PG_URL" >&2; exit 1; }

cargo build -q --release -p spindle
bin="${CARGO_TARGET_DIR:-target}/release/spindle"
ticks=$(getconf CLK_TCK)

work=$(mktemp -d)
pids=()
databases=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  for db in "${databases[@]}"; do
    psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" > /dev/null 2>&1 || true
  done
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

api() { # api METHOD PATH [BODY]: the gateway's JSON answer.
  if [ $# -ge 3 ]; then
    curl -sf -X "$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$3" "$gateway$2"
  else
    curl -sf -X "$1" -H "Authorization: Bearer $key" "$gateway$2"
  fi
}

cpu_ticks() { # the serve processes' user + system ticks, summed
  local t=0
  for pid in "${serve_pids[@]}"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$t"
}
now_ms() { date +%s%3N; }
received() { wc -l < "$recv_log"; }

# wait_received N SECS: waits until the receiver has N lines.
wait_received() {
  local deadline=$(( $(date +%s) + $2 ))
  while [ "$(received)" -lt "$1" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "the receiver has $(received) of $1 requests" >&2; exit 1; }
    sleep 0.2
  done
}

# setup NAME PROCESSES DATABASE_URL: a fresh emulator, store, receiver and PROCESSES gateways.
setup() {
  local name=$1 n=$2 db=$3 dir="$work/$1"
  mkdir -p "$dir"
  "$bin" emulator --addr 127.0.0.1:0 --users "$USERS" --groups "$ORG_GROUPS" --seed 7 \
    --rate-limit okta > "$dir/emulator.out" 2> "$dir/emulator.err" &
  pids+=($!)
  wait_line "$dir/emulator.out" '^org_url=' "${pids[-1]}"
  org_url=$(sed -n 's/^org_url=\([^ ]*\) .*/\1/p' "$dir/emulator.out")
  token=$(sed -n 's/^org_url=[^ ]* token=\(.*\)$/\1/p' "$dir/emulator.out")

  recv_log="$dir/received"
  : > "$recv_log"
  node bench/webhook-receiver.cjs "$recv_log" > "$dir/receiver.out" &
  pids+=($!)
  wait_line "$dir/receiver.out" '^url=' "${pids[-1]}"
  hook_url=$(sed -n 's/^url=\(.*\)$/\1/p' "$dir/receiver.out")

  export SPINDLE_DATABASE_URL="$db"
  SPINDLE_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
  export SPINDLE_MASTER_KEY
  key=$("$bin" keys create bench --scope full 2> /dev/null)
  serve_pids=()
  for i in $(seq 1 "$n"); do
    RUST_LOG=warn "$bin" serve --addr 127.0.0.1:0 --allow-private-orgs --allow-private-webhooks \
      > "$dir/serve-$i.out" 2> "$dir/serve-$i.err" &
    pids+=($!)
    serve_pids+=($!)
    wait_line "$dir/serve-$i.out" '^url=' "$!"
  done
  gateway=$(sed -n 's/^url=\(.*\)$/\1/p' "$dir/serve-1.out")
  conn=$(api POST /v1/connections \
    "{\"name\": \"emu\", \"org_url\": \"$org_url\", \"auth\": {\"kind\": \"api_token\", \"token\": \"$token\"}}" \
    | jq -r .id)
  hook=$(api POST /v1/webhooks "{\"url\": \"$hook_url\"}" | jq -r .id)
  api PUT "/v1/connections/$conn/sync" '{"enabled": false}' > /dev/null
}

# wait_run ID: polls a run to its end; fails unless it succeeded.
wait_run() {
  local state=queued
  while [ "$state" = queued ] || [ "$state" = running ]; do
    sleep 0.5
    state=$(api GET "/v1/connections/$conn/sync/runs/$1" | jq -r .state)
  done
  [ "$state" = succeeded ] || { echo "run $1: $state" >&2; exit 1; }
}

feed_seq() { api GET "/v1/connections/$conn/sync" | jq .feed.seq; }

# measure NAME PROCESSES DATABASE_URL: one set-up's row in $work/rows.
measure() {
  local name=$1 n=$2
  setup "$@"
  echo "[$name] first sync of $USERS users" >&2
  wait_run "$(api POST "/v1/connections/$conn/sync/run" '{"full": true}' | jq -r .id)"
  local changes; changes=$(feed_seq)
  wait_received "$changes" 600

  echo "[$name] replay of $changes deliveries" >&2
  local before cpu0 t0 replayed t1 cpu1
  before=$(received)
  cpu0=$(cpu_ticks)
  t0=$(now_ms)
  replayed=$(api POST "/v1/webhooks/$hook/replay" "{\"connection\": \"emu\", \"from_seq\": 0}" | jq .replayed)
  wait_received $((before + replayed)) 600
  cpu1=$(cpu_ticks)
  t1=$(tail -n 1 "$recv_log" | cut -d' ' -f1)

  echo "[$name] latency: $RATE changes/s for $DURATION s, sync every 5s" >&2
  local seq0; seq0=$(feed_seq)
  local lat0; lat0=$(now_ms)
  api PUT "/v1/connections/$conn/sync" '{"enabled": true, "interval": "5s", "full_every": "24h"}' > /dev/null
  local total=$((RATE * DURATION)) i
  for i in $(seq 1 "$total"); do
    curl -sf -H 'Content-Type: application/json' -d "{\"changes\": 1, \"seed\": $i}" \
      "$org_url/__emulator/churn" > /dev/null
    sleep "$(awk -v r="$RATE" 'BEGIN { printf "%.3f", 1 / r }')"
  done
  # The last changes: one more interval, then their deliveries.
  sleep 8
  local seq1; seq1=$(feed_seq)
  local deadline=$(( $(date +%s) + 60 ))
  until [ "$(awk -v a="$seq0" -v b="$seq1" '$2 > a && $2 <= b { n[$2] = 1 } END { print length(n) }' "$recv_log")" -ge $((seq1 - seq0)) ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "[$name] latency deliveries missing" >&2; exit 1; }
    sleep 0.2
  done
  # First arrival of each change after seq0, minus its Okta time.
  # (Only changes made in this period: a change Okta dated earlier is not one of them.)
  awk -v a="$seq0" -v t="$lat0" '$2 > a && $3 != "-" && $3 >= t && !seen[$2]++ { print $1 - $3 }' \
    "$recv_log" | sort -n > "$work/$name.latency"
  local lat; lat=$(awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - - - 0"; exit }
    printf "%d %d %d %d %d", v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.9) + 1],
      v[int((NR - 1) * 0.99) + 1], v[NR], NR }' "$work/$name.latency")
  stop_all
  awk -v name="$name" -v users="$USERS" -v ch="$changes" -v r="$replayed" -v t0="$t0" -v t1="$t1" \
    -v c0="$cpu0" -v c1="$cpu1" -v tk="$ticks" -v lat="$lat" 'BEGIN {
      split(lat, l, " ")
      secs = (t1 - t0) / 1000
      printf "| %s | %d | %d | %.1f | %.0f | %.2f | %d | %.2f | %.2f | %.2f | %.2f |\n",
        name, ch, r, secs, r / secs, (c1 - c0) / tk * 1000 / r, l[5],
        l[1] / 1000, l[2] / 1000, l[3] / 1000, l[4] / 1000 }' >> "$work/rows"
}

new_database() {
  local db="spindle_bench_webhooks_$$_$1"
  psql "$PG_URL" -qAtc "CREATE DATABASE $db" > /dev/null
  databases+=("$db")
  echo "${PG_URL%/*}/$db"
}

: > "$work/rows"
measure "1 process, SQLite" 1 "sqlite://$work/one-sqlite.db"
measure "1 process, PostgreSQL" 1 "$(new_database one)"
measure "3 processes, PostgreSQL" 3 "$(new_database three)"
rows=$(cat "$work/rows")

one_pg=$(awk -F'|' 'NR == 2 { print $6 + 0 }' "$work/rows")
three_pg=$(awk -F'|' 'NR == 3 { print $6 + 0 }' "$work/rows")
load_avg=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
section="$(cat <<MD
## Webhooks

Measured by \`USERS=$USERS GROUPS=$ORG_GROUPS RATE=$RATE DURATION=$DURATION bench/webhooks.sh\` on
$(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores shared by the emulator, the gateways, PostgreSQL, the
receiver and other work; load average $load_avg at the end). Release builds; \`spindle emulator
--users $USERS --groups $ORG_GROUPS --seed 7 --rate-limit okta\`, \`spindle serve\` processes (their
sync workers and webhook senders, default settings) and a receiver in Node
(\`bench/webhook-receiver.cjs\`, answers 204 at once) on loopback; a fresh org, store and receiver per
set-up; one webhook endpoint for every change.

- **Changes**: the first sync's change feed (employees, groups, memberships), all delivered
  before the throughput run.
- **Throughput**: \`POST /v1/webhooks/{id}/replay {"from_seq": 0}\` queues every one of them again
  at once; deliveries ÷ seconds from the replay to the last arrival. CPU: the serve processes' user
  + system time per delivery, in ms.
- **Latency**: sync every 5 s, $RATE changes a second in the emulator for $DURATION s; for each
  change of that period, its first arrival at the receiver − its time in Okta (\`data.okta_at\`: the
  System Log event's \`published\`). It is bound below by the sync interval: a change waits for the
  next run (0–5 s, 2.5 s on average), then for the run's System Log read and the sender.

| set-up | changes | replayed | replay s | deliveries/s | CPU ms / delivery | latency changes | p50 s | p90 s | p99 s | max s |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
$rows

Three processes on one PostgreSQL deliver $(awk -v a="$three_pg" -v b="$one_pg" 'BEGIN { printf "%.2f×", a / b }') the deliveries per second of one
(on this 2-core machine the three share the cores with everything else, so this is a floor for
machines of their own). No peer is measured here: Okta's Event Hooks, the nearest built-in, cannot
run off Okta, and Nango's webhooks carry only counts of changed records (the receiver then fetches
the records), so its deliveries per second are not comparable one for one.
MD
)"
echo "$section"
printf '%s\n' "$section" > "$work/section.md"
write_section "Webhooks" "$work/section.md"
