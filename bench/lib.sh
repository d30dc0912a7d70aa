# Helpers shared by the bench scripts (sourced, not run).

# wait_line FILE PATTERN PID: waits (up to 2 minutes) for a line matching PATTERN in FILE, written
# by process PID; fails, showing FILE, when PID exits first.
wait_line() {
  for _ in $(seq 1 1200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for $2 in $1" >&2
  return 1
}

# write_section HEADING FILE: puts FILE (a section starting with "## HEADING") into
# bench/RESULTS.md in place of an earlier section of that heading (up to the next "## "), so
# hand-written sections after it stay after it; appends it when there is none.
write_section() {
  local heading=$1 section=$2 results=bench/RESULTS.md
  [ -f "$results" ] || printf '# Benchmark results\n' > "$results"
  awk -v section="$section" -v heading="## $heading" '
    function put(  line) { while ((getline line < section) > 0) print line; close(section) }
    /^## / { skip = 0 }
    $0 == heading { put(); print ""; skip = 1; done = 1; next }
    !skip { print }
    END { if (!done) { print ""; put() } }
  ' "$results" > "$results.tmp"
  mv "$results.tmp" "$results"
  echo "wrote $results"
}
