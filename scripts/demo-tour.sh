#!/usr/bin/env bash
# Runs the tour `rollcall demo` prints, exactly as printed, and fails if a command fails or the
# terminated employee does not appear archived in the feed within two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/rollcall}"
log="$(mktemp)"
"$binary" demo --port "${DEMO_PORT:-18080}" --sandbox-port "${DEMO_SANDBOX_PORT:-18090}" \
  --api-token rc_demo_tour_token_0001 --sandbox-admin-token demo-tour-admin >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
. scripts/wait-for-log.sh
wait_for_log "$log" "$pid" "^Try:" "rollcall demo (printing its tour)" 600 0.2

# The commands after "Try:", continuation lines joined, comments dropped.
mapfile -t commands < <(awk '/^Try:/{on=1;next} on&&/^$/{exit} on' "$log" | sed 's/^ *//' | grep -v '^#' \
  | awk '{ if (sub(/\\$/, "")) { buf = buf $0 } else { print buf $0; buf = "" } }')
[ "${#commands[@]}" -ge 5 ] || { cat "$log"; echo "expected at least 5 commands in the tour"; exit 1; }

last=$(( ${#commands[@]} - 2 ))  # the feed read after the termination
for index in "${!commands[@]}"; do
  command="${commands[$index]} -f"
  if [ "$index" -eq "$last" ]; then
    for _ in $(seq 1 120); do
      output="$(bash -c "$command")"
      grep -q '"state":"archived"' <<<"$output" && break
      sleep 1
    done
    grep -q '"state":"archived"' <<<"$output" || { echo "the feed did not show the termination: $output"; exit 1; }
    echo "the feed shows the terminated employee archived"
  else
    bash -c "$command" >/dev/null || { echo "failed: ${commands[$index]}"; exit 1; }
  fi
done
echo "demo tour: every command succeeded"
