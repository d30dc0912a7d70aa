#!/usr/bin/env bash
# Store hot paths on SQLite (temp file) and PostgreSQL, in one run, so the two can be compared.
# Usage: bench/store.sh [N]   (PostgreSQL from SPINDLE_BENCH_POSTGRES_URL, default
# postgres://postgres@127.0.0.1:5432/spindle_bench_<pid>; the database is created and dropped.)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
cargo build --release -q -p spindle-store --example store_bench
bin=target/release/examples/store_bench
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "| backend | operation | n | per op | rate |"
echo "| --- | --- | --- | --- | --- |"
"$bin" "sqlite://$tmp/bench.db" "$n"
pg_url="${SPINDLE_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/spindle_bench_$$}"
if "$bin" "$pg_url" "$n"; then
  if [ -z "${SPINDLE_BENCH_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS spindle_bench_$$" >/dev/null
  fi
else
  echo "PostgreSQL run failed (is a server at $pg_url?)" >&2
fi
