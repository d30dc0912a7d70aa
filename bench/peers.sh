#!/usr/bin/env bash
# Listing as a user runs it, against Okta's official SDKs, on a static stand-in for Okta.
#
# The stand-in is nginx serving pages of `GET /api/v1/users?limit=200` with Okta's headers (`Link`
# rel="self"/"next", `X-Rate-Limit-*`, `X-Okta-Request-Id`); the pages are taken once from the
# emulator (bench/standin/generate.py), so every client reads the same bytes and the server costs
# next to nothing. Measured, each run as a separate process under /usr/bin/time, RUNS times,
# medians reported:
#   - Okta's Python SDK (PyPI `okta`) and Node SDK (`@okta/okta-sdk-nodejs`), counting the users
#     (bench/peers/list_users.py, list_users.cjs; installed by scripts/install-third-party);
#   - `spindle run get_list_all_users --input '{"limit":200}' --all --jsonl` writing every user to
#     a file (the SDK peers keep nothing, so this is the harder job);
#   - `spindle run list_all_employees --all --jsonl` (the unified model) on the same pages.
# Then spindle's plain list again at every size of SIZES, for the flatness of its memory.
#
# Usage: bench/peers.sh            (USERS=100000 SIZES="10000 100000 300000" RUNS=3)
# Needs nginx (installed with apt-get when missing), /usr/bin/time, python3.
# Writes the "Listing against the SDKs" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
USERS=${USERS:-100000}
SIZES=${SIZES:-"10000 100000 300000"}
RUNS=${RUNS:-3}
TP=target/third-party
PORT=${PORT:-18290}
EMU_PORT=${EMU_PORT:-18289}

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx (the static stand-in)" >&2
  apt-get install -y -q nginx-light >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q nginx-light >/dev/null; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build -q --release -p spindle
SPINDLE=$PWD/target/release/spindle
work=$(mktemp -d)
chmod 755 "$work"   # nginx's workers (another user when started as root) read the pages
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# standin N: pages of an N-user org served by nginx at $PORT (replacing an earlier stand-in).
standin() {
  local n=$1 dir=$work/standin-$1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=()
  sleep 0.2
  "$SPINDLE" emulator --addr "127.0.0.1:$EMU_PORT" --users "$n" --rate-limit off > "$work/emu.log" 2>&1 &
  local emu=$!
  wait_line "$work/emu.log" '^org_url=' "$emu"
  local token; token=$(sed -n 's/.*token=\([^ ]*\).*/\1/p' "$work/emu.log" | head -1)
  python3 bench/standin/generate.py "http://127.0.0.1:$EMU_PORT" "$token" "$dir" "$PORT" >&2
  kill "$emu"; wait "$emu" 2>/dev/null || true
  "$NGINX" -c "$dir/nginx.conf" -p "$dir" 2>"$work/nginx.err" &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/users?limit=200" && return 0
    sleep 0.1
  done
  cat "$work/nginx.err" >&2
  return 1
}

export OKTA_CLIENT_ORGURL="http://127.0.0.1:$PORT" OKTA_CLIENT_TOKEN=00standin-token

# one NAME COMMAND...: one run; prints "users wall cpu rss_kib" (users counted from the output).
one() {
  local name=$1; shift
  local t out; t=$(mktemp); out=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" > "$out"
  local wall user sys rss n
  read -r wall user sys rss < "$t"
  case "$name" in
    spindle*) n=$(wc -l < "$out") ;;
    *) n=$(grep -oE '"users": *[0-9]+' "$out" | grep -oE '[0-9]+$' || echo 0) ;;
  esac
  rm -f "$t" "$out"
  echo "$n $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss"
}

# row NAME COMMAND...: RUNS runs; a table row of medians (users, wall s, users/s, CPU µs per
# user, peak RSS MiB), also kept in $work/rows for the ratios.
row() {
  local name=$1; shift
  local runs=()
  for _ in $(seq 1 "$RUNS"); do runs+=("$(one "$name" "$@")"); done
  printf '%s\n' "${runs[@]}" | awk -v name="$name" '
    { n[NR] = $1; w[NR] = $2; c[NR] = $3; r[NR] = $4 }
    function median(a, k,   i, j, t, b) {
      for (i = 1; i <= k; i++) b[i] = a[i]
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
      return (k % 2) ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2
    }
    END {
      users = median(n, NR); wall = median(w, NR); cpu = median(c, NR); rss = median(r, NR)
      printf "| %s | %d | %.2f | %.0f | %.1f | %.0f |\n", name, users, wall, users / wall, cpu * 1e6 / users, rss / 1024
    }' | tee -a "$work/rows"
}

spindle_list() {
  "$SPINDLE" run get_list_all_users --input '{"limit":200}' --all --jsonl \
    --org-url "$OKTA_CLIENT_ORGURL" --token "$OKTA_CLIENT_TOKEN"
}
spindle_employees() {
  "$SPINDLE" run list_all_employees --input '{"limit":200}' --all --jsonl \
    --org-url "$OKTA_CLIENT_ORGURL" --token "$OKTA_CLIENT_TOKEN"
}
export -f spindle_list spindle_employees
export SPINDLE

standin "$USERS"
section=$work/section.md
{
  echo "## Listing against the SDKs"
  echo
  echo "Measured by \`bench/peers.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores, load average" \
       "$(cut -d' ' -f1-3 /proc/loadavg) at the start). A static stand-in for Okta (nginx, pages of 200" \
       "users taken from the emulator, with \`Link\` and rate-limit headers) on loopback; every client in" \
       "its own process under \`/usr/bin/time\`; medians of $RUNS runs. The SDKs count the users; Spindle" \
       "writes every user as a JSON line to a file (the SDK peers keep nothing, so Spindle does more)."
  echo
  echo "| client | users | wall s | users/s | CPU µs per user | peak RSS MiB |"
  echo "|---|--:|--:|--:|--:|--:|"
  if [ -x "$TP/venv-okta/bin/python" ]; then
    # The SDK refuses plain-http org URLs unless this testing switch is set; run from a clean
    # directory so that no okta.yaml of the repository is picked up.
    (cd "$work" && row "okta (Python SDK 3.4.6)" env OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true \
      "$OLDPWD/$TP/venv-okta/bin/python" "$OLDPWD/bench/peers/list_users.py")
  else
    echo "| okta (Python SDK) | not installed: run scripts/install-third-party | | | | |"
  fi
  if [ -d "$TP/node/node_modules/@okta/okta-sdk-nodejs" ]; then
    NODE=$(command -v node)
    [ -x "$TP/node/node_modules/.bin/node" ] && NODE=$PWD/$TP/node/node_modules/.bin/node
    row "@okta/okta-sdk-nodejs" env NODE_PATH="$TP/node/node_modules" "$NODE" bench/peers/list_users.cjs
  else
    echo "| @okta/okta-sdk-nodejs | not installed: run scripts/install-third-party | | | | |"
  fi
  row "spindle run get_list_all_users --all --jsonl" bash -c spindle_list
  row "spindle run list_all_employees --all --jsonl" bash -c spindle_employees
  echo
  # Ratios against the peers of this run (throughput: users/s; CPU: µs per user).
  awk -F'|' '
    { name = $2; gsub(/^ +| +$/, "", name); tput[name] = $5 + 0; cpu[name] = $6 + 0 }
    END {
      s = "spindle run get_list_all_users --all --jsonl"; e = "spindle run list_all_employees --all --jsonl"
      py = "okta (Python SDK 3.4.6)"; node = "@okta/okta-sdk-nodejs"
      if (tput[node] > 0) printf "Throughput of `spindle run` over the Node SDK: %.1fx; ", tput[s] / tput[node]
      if (tput[py] > 0) printf "over the Python SDK: %.1fx. ", tput[s] / tput[py]
      if (cpu[s] > 0) printf "CPU per user of the unified model over the plain list: %.2fx.", cpu[e] / cpu[s]
      printf "\n"
    }' "$work/rows"
  echo
  echo "Memory of \`spindle run get_list_all_users --all --jsonl\` by org size (one stand-in per size):"
  echo
  echo "| client | users | wall s | users/s | CPU µs per user | peak RSS MiB |"
  echo "|---|--:|--:|--:|--:|--:|"
  for n in $SIZES; do
    standin "$n"
    row "spindle run get_list_all_users --all --jsonl ($n)" bash -c spindle_list
  done
} > "$section"
cat "$section"
write_section "Listing against the SDKs" "$section"
