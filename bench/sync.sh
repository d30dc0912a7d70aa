#!/usr/bin/env bash
# Sync cost: what a user runs — `spindle serve` (SQLite store, its sync worker) syncing a connection
# to `spindle emulator` at Okta's default rate limits (`--rate-limit okta`), with the connection's
# sync settings at `rate_share 0.5`.
#
#   1. First (full) sync of USERS users, GROUPS groups and their memberships, on a fresh emulator
#      and a fresh store: wall time, Okta calls per rate-limit bucket (from the emulator's request
#      log), the rate-limit bound (for each bucket: calls ÷ (limit × share) windows; the largest),
#      429s, CPU seconds and peak RSS (VmHWM) of the serve process. Done once at BASELINE_USERS
#      (RSS at two org sizes: it should stay flat) and once at USERS.
#   2. After the USERS sync: POST /__emulator/churn {"changes": CHANGES, "seed": 1}, wait SETTLE
#      seconds, run an incremental sync: wall time, Okta calls, calls per change, and the ratio to
#      what a re-read of the org (users list + every group's member pages) costs on every run.
#
# Usage: bench/sync.sh   (env: USERS=100000 GROUPS=500 BASELINE_USERS=10000 CHANGES=1000
#                          SETTLE=5 WINDOW=60s; BASELINE_USERS=0 skips the baseline run;
#                          GROUPS through `env` or as ORG_GROUPS, see below)
# WINDOW is the emulator's rate-limit window (`--rate-limit-window`); Okta's is 60 s. A shorter
# window makes the run faster and scales every bound by WINDOW/60 s: the report is then in
# emulator windows and the script says so.
# Needs curl and jq. Writes the "Sync" section of bench/RESULTS.md (replacing an earlier one in
# place).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
USERS=${USERS:-100000}
# GROUPS is a bash built-in array (the shell's group ids): bash hides an environment variable of
# that name (read here with printenv) and does not pass `GROUPS=N cmd` on, so from bash write
# `env GROUPS=N bench/sync.sh` or `ORG_GROUPS=N bench/sync.sh`.
ORG_GROUPS=${ORG_GROUPS:-$(printenv GROUPS || echo 500)}
BASELINE_USERS=${BASELINE_USERS:-10000}
CHANGES=${CHANGES:-1000}
SETTLE=${SETTLE:-5}
WINDOW=${WINDOW:-60s}
SHARE=0.5

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "bench/sync.sh needs $tool" >&2; exit 1; }
done

cargo build -q --release -p spindle
bin="${CARGO_TARGET_DIR:-target}/release/spindle"
ticks=$(getconf CLK_TCK)

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT

# The window in seconds (accepts 60s, 2m, 500ms, 1m30s).
window_s=$(awk -v d="$WINDOW" 'BEGIN {
  s = 0; while (match(d, /^[0-9.]+(ms|s|m|h)/)) {
    t = substr(d, 1, RLENGTH); n = t + 0; u = t; sub(/^[0-9.]+/, "", u);
    s += (u == "ms") ? n / 1000 : (u == "s") ? n : (u == "m") ? n * 60 : n * 3600;
    d = substr(d, RLENGTH + 1) }
  print s }')

# The emulator's bucket of a request (crates/emulator/src/ratelimit.rs, Okta's table) and its
# limit per window, as jq definitions.
buckets_jq='
def bucket: (.path | rtrimstr("/") | split("/") | .[1:]) as $s
  | if $s == ["api","v1","users"] then ["/api/v1/users", 600]
    elif ($s | length) == 4 and $s[0:3] == ["api","v1","users"] then
      (if .method == "GET" then ["GET /api/v1/users/{idOrLogin}", 1000] else ["/api/v1/users/{id}", 600] end)
    elif $s == ["api","v1","groups"] then ["/api/v1/groups", 600]
    elif ($s | length) == 4 and $s[0:3] == ["api","v1","groups"] then ["/api/v1/groups/{id}", 600]
    elif $s[0:3] == ["api","v1","logs"] then ["/api/v1/logs", 50]
    else ["/api/v1* (incl. /api/v1/groups/{id}/users)", 600] end;'

api() { # api METHOD PATH [BODY]: the gateway's JSON answer.
  if [ $# -ge 3 ]; then
    curl -sf -X "$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$3" "$gateway$2"
  else
    curl -sf -X "$1" -H "Authorization: Bearer $key" "$gateway$2"
  fi
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kib() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"; }
epoch() { date -d "$1" +%s.%N; }

# start ORG_USERS: a fresh emulator (Okta's limits) and a fresh gateway store with a connection.
start() {
  local n=$1 dir="$work/run-$1"
  mkdir -p "$dir"
  "$bin" emulator --addr 127.0.0.1:0 --users "$n" --groups "$ORG_GROUPS" --seed 7 \
    --rate-limit okta --rate-limit-window "$WINDOW" > "$dir/emulator.out" 2> "$dir/emulator.err" &
  pids+=($!)
  wait_line "$dir/emulator.out" '^org_url=' "${pids[-1]}"
  org_url=$(sed -n 's/^org_url=\([^ ]*\) .*/\1/p' "$dir/emulator.out")
  token=$(sed -n 's/^org_url=[^ ]* token=\(.*\)$/\1/p' "$dir/emulator.out")

  export SPINDLE_DATABASE_URL="sqlite://$dir/spindle.db"
  SPINDLE_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
  export SPINDLE_MASTER_KEY
  key=$("$bin" keys create bench --scope full 2> /dev/null)
  RUST_LOG=warn "$bin" serve --addr 127.0.0.1:0 --allow-private-orgs > "$dir/serve.out" 2> "$dir/serve.err" &
  serve_pid=$!
  pids+=("$serve_pid")
  wait_line "$dir/serve.out" '^url=' "$serve_pid"
  gateway=$(sed -n 's/^url=\(.*\)$/\1/p' "$dir/serve.out")
  conn=$(api POST /v1/connections \
    "{\"name\": \"emu\", \"org_url\": \"$org_url\", \"auth\": {\"kind\": \"api_token\", \"token\": \"$token\"}}" \
    | jq -r .id)
  # Runs only when asked for (no schedule interferes with the measurement).
  api PUT "/v1/connections/$conn/sync" "{\"enabled\": false, \"rate_share\": $SHARE}" > /dev/null
}

# sync_run NAME FULL: clears the emulator's request log, queues a run, polls it to its end and
# writes NAME.run (the run), NAME.requests (the Okta requests it caused) and NAME.proc (wall
# from the run's timestamps, CPU seconds of serve, VmHWM KiB of serve).
sync_run() {
  local name=$1 full=$2
  curl -sf -X DELETE "$org_url/__emulator/requests" > /dev/null
  local since; since=$(curl -sf "$org_url/__emulator/requests?limit=1" | jq .lastSeq)
  local cpu0; cpu0=$(cpu_ticks "$serve_pid")
  local run; run=$(api POST "/v1/connections/$conn/sync/run" "{\"full\": $full}" | jq -r .id)
  local state=queued
  while [ "$state" = queued ] || [ "$state" = running ]; do
    sleep 0.5
    api GET "/v1/connections/$conn/sync/runs/$run" > "$work/$name.run"
    state=$(jq -r .state "$work/$name.run")
  done
  local cpu1; cpu1=$(cpu_ticks "$serve_pid")
  [ "$state" = succeeded ] || { echo "run $name: $state" >&2; cat "$work/$name.run" >&2; exit 1; }
  curl -sf "$org_url/__emulator/requests?since=$since" > "$work/$name.log"
  # The log is a ring of 10,000 entries: a full one may have lost the run's first requests.
  if [ "$(jq '.requests | length' "$work/$name.log")" -ge 10000 ]; then
    echo "the emulator's request log overflowed (run $name): per-bucket counts would be short" >&2
    exit 1
  fi
  jq '[.requests[] | select(.path | startswith("/api/"))]' "$work/$name.log" > "$work/$name.requests"
  local started ended
  started=$(jq -r .started_at "$work/$name.run")
  ended=$(jq -r .ended_at "$work/$name.run")
  awk -v a="$(epoch "$started")" -v b="$(epoch "$ended")" -v c0="$cpu0" -v c1="$cpu1" -v t="$ticks" \
    -v hwm="$(hwm_kib "$serve_pid")" 'BEGIN { printf "%.1f %.2f %d\n", b - a, (c1 - c0) / t, hwm }' \
    > "$work/$name.proc"
}

# buckets NAME: one line per bucket: "calls limit bucket-name".
buckets() {
  jq -r "$buckets_jq"' map(bucket) | group_by(.[0]) | map("\(length) \(.[0][1]) \(.[0][0])") | .[]' \
    "$work/$1.requests" | sort -k1,1nr
}

# bound NAME: the largest per-bucket time, in seconds: calls ÷ (limit × share) windows.
bound() {
  buckets "$1" | awk -v share="$SHARE" -v w="$window_s" '
    { t = $1 / ($2 * share) * w; if (t > max) max = t } END { printf "%.1f\n", max }'
}
# sum_bound NAME: the same times added up (a bound for phases that run one after the other).
sum_bound() {
  buckets "$1" | awk -v share="$SHARE" -v w="$window_s" '
    { t += $1 / ($2 * share) * w } END { printf "%.1f\n", t }'
}

# first_sync ORG_USERS: a fresh org and store, one full run; leaves them running.
first_sync() {
  start "$1"
  sync_run "first-$1" true
}

if [ "$BASELINE_USERS" -gt 0 ] && [ "$BASELINE_USERS" != "$USERS" ]; then
  first_sync "$BASELINE_USERS"
  stop_all
  sizes=("$BASELINE_USERS" "$USERS")
else
  sizes=("$USERS")
fi
first_sync "$USERS"

# The incremental run.
curl -sf -H 'Content-Type: application/json' -d "{\"changes\": $CHANGES, \"seed\": 1}" \
  "$org_url/__emulator/churn" > "$work/churn.json"
sleep "$SETTLE"
sync_run incremental false
org_state=$(curl -sf "$org_url/__emulator/state")
stop_all

# Report.
first_rows=""
for n in "${sizes[@]}"; do
  f="first-$n"
  read -r wall cpu hwm < "$work/$f.proc"
  b=$(bound "$f")
  calls=$(jq .okta_calls "$work/$f.run")
  logged=$(jq length "$work/$f.requests")
  limited=$(jq .rate_limited "$work/$f.run")
  records=$(jq .records "$work/$f.run")
  first_rows+=$(awk -v n="$n" -v g="$ORG_GROUPS" -v wall="$wall" -v b="$b" -v sb="$(sum_bound "$f")" \
    -v calls="$calls" -v logged="$logged" -v lim="$limited" -v w="$window_s" -v cpu="$cpu" \
    -v hwm="$hwm" -v rec="$records" 'BEGIN {
      windows = wall / w; if (windows < 1) windows = 1
      printf "| %d users, %d groups | %d | %.1f | %.1f | %.2f | %.0f%% | %.1f | %d (%d logged) | %d (%.2f/window) | %.3f | %.0f |\n",
        n, g, rec, wall, b, wall / b, 100 * b / wall, sb, calls, logged, lim, lim / windows,
        cpu / n * 1000, hwm / 1024 }')$'\n'
done
first_rows=${first_rows%$'\n'}
f="first-$USERS"
bucket_rows=$(buckets "$f" | awk -v share="$SHARE" -v w="$window_s" '{
  name = $3; for (i = 4; i <= NF; i++) name = name " " $i
  printf "| %s | %d | %d × %.1f = %.0f | %.1f |\n", name, $1, $2, share, $2 * share, $1 / ($2 * share) * w }')
inc_bucket_rows=$(buckets incremental | awk '{
  name = $3; for (i = 4; i <= NF; i++) name = name " " $i; printf "| %s | %d |\n", name, $1 }')
# A re-read of the org on every run (Nango-style: `search=lastUpdated gt …` cannot see membership
# changes, so every group's members are walked too): the first sync's list calls.
reread=$(jq "$buckets_jq"' [.[] | select(.method == "GET" and (.path | test("^/api/v1/(users|groups|groups/[^/]+/users)$")))] | length' \
  "$work/$f.requests")
read -r iwall icpu _ < "$work/incremental.proc"
icalls=$(jq .okta_calls "$work/incremental.run")
ichanges=$(jq .changes "$work/incremental.run")
ilimited=$(jq .rate_limited "$work/incremental.run")
fcalls=$(jq .okta_calls "$work/$f.run")
kinds=$(jq -r '[.changes[].kind] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$work/churn.json")

scale_note="Okta's own 60 s window."
if [ "$(awk -v w="$window_s" 'BEGIN { print (w == 60) }')" != 1 ]; then
  scale_note="a **${window_s} s window instead of Okta's 60 s** (\`--rate-limit-window $WINDOW\`): every
bucket allows its Okta limit per ${window_s} s, so the bounds and wall times here are
$(awk -v w="$window_s" 'BEGIN { printf "%.2f", 60 / w }')× shorter than at Okta's real rate; multiply them by that factor for the real
limits (ratios and percentages do not change, CPU and RSS are per user, not per second)."
fi

load_avg=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
section="$(cat <<MD
## Sync

Measured by \`USERS=$USERS GROUPS=$ORG_GROUPS BASELINE_USERS=$BASELINE_USERS CHANGES=$CHANGES WINDOW=$WINDOW bench/sync.sh\`
on $(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores shared by the emulator, the gateway and other work; load
average $load_avg at the end). Release builds; \`spindle emulator --users N --groups $ORG_GROUPS --seed 7
--rate-limit okta --rate-limit-window $WINDOW\` and \`spindle serve\` (SQLite store, its sync worker) as
separate processes, a fresh org and store per size; connection sync settings \`rate_share $SHARE\`; each run
asked for with \`POST …/sync/run\` and polled to its end. Rate limits: the emulator's Okta table,
$scale_note

**First sync** (full pass: groups, then side by side the user lists (users, deprovisioned users)
and every group's members, then the System Log). Wall is the run's \`started_at\` → \`ended_at\`. Bound = the largest per-bucket time,
calls ÷ (limit × $SHARE) windows; "sequential bound" adds them up (what a pass reading one bucket
after the other would take). "Rate used" = bound ÷ wall. Calls are the run's \`okta_calls\` (and the emulator's
request log). CPU and peak RSS (VmHWM) are the serve process's.

| org | records | wall s | bound s | wall ÷ bound | rate used | sequential bound s | Okta calls | 429s | CPU s / 1k users | peak RSS MiB |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
$first_rows

Calls per bucket at $USERS users:

| bucket | calls | allowed per window | time at that rate s |
|---|--:|--:|--:|
$bucket_rows

**Incremental run after $CHANGES changes** (\`POST /__emulator/churn {"changes":$CHANGES,"seed":1}\`,
then $SETTLE s; $kinds):

| wall s | Okta calls | calls per change | changes in the feed | 429s | serve CPU s | first sync's calls |
|--:|--:|--:|--:|--:|--:|--:|
$(awk -v w="$iwall" -v c="$icalls" -v n="$CHANGES" -v ch="$ichanges" -v l="$ilimited" -v cpu="$icpu" -v f="$fcalls" \
  'BEGIN { printf "| %.1f | %d | %.2f | %d | %d | %.2f | %d |\n", w, c, c / n, ch, l, cpu, f }')

| bucket | calls |
|---|--:|
$inc_bucket_rows

**Peers.** A sync that re-reads the org on every run (Nango's Okta syncs: \`search=lastUpdated gt …\`
over the users plus every group's members, since a membership change does not move the user's
\`lastUpdated\`) pays at least the first sync's list calls on every run: $reread calls for this org
(users list pages at 200, group list pages, every group's member pages at 1000). This incremental run
made $icalls, $(awk -v a="$icalls" -v b="$reread" 'BEGIN { printf "%.2f× that (%s)", a / b, a < b ? sprintf("%.1f times fewer calls", b / a) : "more calls: the changes touch more objects than the re-read reads pages" }'), and its calls follow the changes
(the System Log pages and one read by id per changed user or group), not the org's size.
MD
)"
echo "$section"
printf '%s\n' "$section" > "$work/section.md"
write_section "Sync" "$work/section.md"
