#!/usr/bin/env bash
# Runs the README's tour (the block between <!-- tour:begin --> and <!-- tour:end -->) exactly as
# written against a freshly started sandbox, and fails if any command fails.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/rollcall}"
log="$(mktemp)"
"$binary" sandbox --client-id demo-client --client-secret demo-secret --admin-token demo-admin >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "sandbox exited"; exit 1; }
  sleep 0.1
done
grep -q "listening" "$log" || { cat "$log"; echo "sandbox did not start"; exit 1; }
tour="$(awk '/<!-- tour:begin -->/{on=1;next}/<!-- tour:end -->/{on=0}on' README.md | sed '/^```/d')"
bash -euo pipefail -c "$tour" >/dev/null
echo "README tour: every command succeeded"
