#!/usr/bin/env bash
# Pacing benchmark: 8 concurrent tasks listing and reading users against Okta-style rate
# limits (list bucket 600/window, single-user bucket 1000/window, shortened 10 s windows),
# at 100 % and at a 50 % share of the org's capacity. Appends the numbers to bench/RESULTS.md.
#
# Today the rate-limited server is an in-process mock of Okta's window model
# (crates/okta/examples/pacing.rs); the emulator-backed variant is still to be added.
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${WINDOW:-10}
WINDOWS=${WINDOWS:-3}
TASKS=${TASKS:-8}
cargo build --release -q -p spindle-okta --example pacing
out=$(mktemp)
{
  echo
  echo "## Pacing ($(date -u +%Y-%m-%dT%H:%MZ), $TASKS tasks, ${WINDOW} s windows, mock Okta limits)"
  echo
  for share in 1.0 0.5; do
    echo "Share $share:"
    echo
    ./target/release/examples/pacing "$WINDOW" "$WINDOWS" "$TASKS" "$share"
    echo
  done
} | tee "$out"
cat "$out" >> bench/RESULTS.md
rm -f "$out"
