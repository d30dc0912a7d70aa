#!/usr/bin/env bash
# Pacing benchmark: 8 concurrent tasks sharing one client, half listing users, half reading
# single users, flat out, for a few shortened windows, at 100 % and 50 % of the org's
# capacity. Run against (1) the emulator's Okta default limits and (2) an in-process mock of
# Okta's window model. Appends the numbers to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${WINDOW:-10}
WINDOWS=${WINDOWS:-3}
TASKS=${TASKS:-8}
cargo build --release -q -p spindle-okta --example pacing --example pacing_emulator
{
  echo
  echo "## Pacing ($(date -u +%Y-%m-%dT%H:%MZ), $TASKS tasks, ${WINDOW} s windows)"
  for share in 1.0 0.5; do
    echo
    echo "Emulator (Okta default limits), share $share:"
    echo
    ./target/release/examples/pacing_emulator "$WINDOW" "$WINDOWS" "$TASKS" "$share"
    echo
    echo "Mock of Okta's window model, share $share:"
    echo
    ./target/release/examples/pacing "$WINDOW" "$WINDOWS" "$TASKS" "$share"
  done
} | tee -a bench/RESULTS.md
